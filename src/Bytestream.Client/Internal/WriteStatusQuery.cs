using System.Runtime.ExceptionServices;
using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The one path of every <c>QueryWriteStatus</c>: the public call, the query after a failed Write, the one made in
/// the background to make room in the replay buffer, and <see cref="ByteStreamWriteStream.WaitForCommitAsync"/>.
/// Each call is bounded by the stall timeout; NOT_FOUND and UNIMPLEMENTED are answers (nothing committed, a server
/// that cannot say), not failures.
/// </summary>
internal static class WriteStatusQuery
{
    /// <summary>One call.</summary>
    public static async ValueTask<StatusAnswer> AskAsync(ClientCore core, string resourceName, Metadata? headers, CancellationToken cancellationToken)
    {
        using var cancellation = new CallCancellation(core.Options);
        using var link = cancellation.Link(cancellationToken);
        try
        {
            var response = await core.Stub.QueryWriteStatusAsync(
                new QueryWriteStatusRequest { ResourceName = resourceName },
                new CallOptions(headers: headers, cancellationToken: cancellation.Token)).ConfigureAwait(false);
            return new StatusAnswer(new WriteStatus(response.CommittedSize, response.Complete), null);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unimplemented && !cancellationToken.IsCancellationRequested)
        {
            return new StatusAnswer(default, ex);
        }
        catch (RpcException ex) when (cancellation.Translate(ex, cancellationToken) is var error && error != ex)
        {
            throw error;
        }
    }

    /// <summary>Calls until the answer comes, with the client's retries.</summary>
    public static ValueTask<StatusAnswer> AskWithRetriesAsync(ClientCore core, string resourceName, Metadata? headers, CancellationToken cancellationToken) =>
        ResumableStep.RunAsync(
            core,
            resourceName,
            (Core: core, Name: resourceName, Headers: headers),
            static async (s, ct) => StepResult<StatusAnswer>.Done(await AskAsync(s.Core, s.Name, s.Headers, ct).ConfigureAwait(false)),
            cancellationToken);
}

/// <summary>An answer to <c>QueryWriteStatus</c>: the status, or the NOT_FOUND or UNIMPLEMENTED the server gave instead.</summary>
/// <param name="Status">The committed size and completeness, when the server knows the upload.</param>
/// <param name="Unknown">The server's NOT_FOUND (nothing committed) or UNIMPLEMENTED (it cannot say).</param>
internal readonly record struct StatusAnswer(WriteStatus Status, RpcException? Unknown)
{
    /// <summary>Gets whether the server cannot answer <c>QueryWriteStatus</c> at all.</summary>
    public bool Unimplemented => Unknown?.StatusCode == StatusCode.Unimplemented;

    /// <summary>The status; the server's NOT_FOUND or UNIMPLEMENTED is thrown as it came.</summary>
    public WriteStatus StatusOrThrow()
    {
        if (Unknown is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }

        return Status;
    }
}
