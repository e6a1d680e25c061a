using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>One QueryWriteStatus call, bounded by the stall timeout like every other call.</summary>
internal static class WriteStatusQuery
{
    public static async ValueTask<WriteStatus> QueryAsync(ClientCore core, string resourceName, Metadata? headers, CancellationToken cancellationToken)
    {
        using var cancellation = new CallCancellation(core.Options);
        using var link = cancellation.Link(cancellationToken);
        try
        {
            var response = await core.Stub.QueryWriteStatusAsync(
                new QueryWriteStatusRequest { ResourceName = resourceName },
                new CallOptions(headers: headers, cancellationToken: cancellation.Token)).ConfigureAwait(false);
            return new WriteStatus(response.CommittedSize, response.Complete);
        }
        catch (RpcException ex) when (cancellation.Translate(ex, cancellationToken) is var error && error != ex)
        {
            throw error;
        }
    }
}
