namespace Bytestream.Client.Internal;

/// <summary>
/// What a <c>QueryWriteStatus</c> answer means to <see cref="ByteStreamWriteStream.WaitForCommitAsync"/>, in the
/// offsets of the wire: done once the server committed every byte sent before the wait (or holds the whole
/// resource), wait while it has committed less, and a protocol violation when it claims more than was sent.
/// A compressed upload's committed size may count uncompressed bytes (buildfarm): more than was sent is no violation there.
/// </summary>
internal static class CommitWaitRule
{
    /// <param name="resourceName">The resource being written, for the error.</param>
    /// <param name="status">The server's answer.</param>
    /// <param name="target">The bytes sent for what was written before the wait: what must be committed.</param>
    /// <param name="written">The bytes sent so far (the caller may not write during the wait, but the rule does not rely on it).</param>
    /// <param name="compressed">Whether the upload is compressed.</param>
    /// <returns><see langword="true"/> when the wait is over, <see langword="false"/> to ask again later.</returns>
    /// <exception cref="ByteStreamException">The server reports more committed bytes than were written.</exception>
    public static bool IsCommitted(string resourceName, WriteStatus status, long target, long written, bool compressed = false)
    {
        if (status.Complete)
        {
            return true;
        }

        if (status.CommittedSize > written && !compressed)
        {
            throw ThrowHelper.CommittedBeyondSent(resourceName, status.CommittedSize, written);
        }

        return status.CommittedSize >= target;
    }
}
