namespace Bytestream.Client.Internal;

/// <summary>
/// <see cref="ByteStreamWriteStream.WaitForCommitAsync"/>'s polling: asks <c>QueryWriteStatus</c>, with growing pauses
/// (10 ms up to 1 s, on the client's <see cref="TimeProvider"/>), until <see cref="CommitWaitRule"/> says the wire bytes
/// the session had sent when the wait began are committed. The upload goes on meanwhile; its failure ends the wait.
/// </summary>
internal static class CommitWaiter
{
    /// <summary>Returns the committed size the server reported; throws the upload's failure if it fails meanwhile.</summary>
    /// <exception cref="NotSupportedException">The server does not answer QueryWriteStatus (UNIMPLEMENTED).</exception>
    public static async Task<long> WaitAsync(ClientCore core, UploadSession session, Grpc.Core.Metadata? headers, bool compressed, Task upload,
        CancellationToken cancellationToken)
    {
        var target = session.WirePosition;
        var pause = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            // NOT_FOUND is nothing committed yet: the first bytes may still be on their way.
            var answer = await WriteStatusQuery.AskWithRetriesAsync(core, session.WireName, headers, cancellationToken).ConfigureAwait(false);
            if (answer.Unimplemented)
            {
                throw new NotSupportedException($"The server does not answer QueryWriteStatus for '{session.WireName}' (UNIMPLEMENTED), so it cannot say what it committed. FlushAsync still sends the bytes.", answer.Unknown);
            }

            if (CommitWaitRule.IsCommitted(session.WireName, answer.Status, target, session.WirePosition, compressed))
            {
                return answer.Status.CommittedSize;
            }

            await Task.WhenAny(Task.Delay(pause, core.TimeProvider, cancellationToken), upload).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (upload.IsFaulted)
            {
                await upload.ConfigureAwait(false);
            }

            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.TicksPerSecond));
        }
    }
}
