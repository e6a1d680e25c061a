using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>One QueryWriteStatus call.</summary>
internal static class WriteStatusQuery
{
    public static async ValueTask<WriteStatus> QueryAsync(ClientCore core, string resourceName, Metadata? headers, CancellationToken cancellationToken)
    {
        var response = await core.Stub.QueryWriteStatusAsync(
            new QueryWriteStatusRequest { ResourceName = resourceName },
            new CallOptions(headers: headers, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new WriteStatus(response.CommittedSize, response.Complete);
    }
}
