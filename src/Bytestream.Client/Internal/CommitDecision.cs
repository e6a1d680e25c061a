namespace Bytestream.Client.Internal;

/// <summary>What a server's answer about an upload means, as <see cref="CommitJudge"/> decides it.</summary>
internal enum CommitVerdict
{
    /// <summary>The upload goes on; the server holds the bytes below <see cref="CommitDecision.Offset"/> (a hint for the replay buffer).</summary>
    Continue,

    /// <summary>Open the next Write call at <see cref="CommitDecision.Offset"/>, the server's committed size.</summary>
    Resume,

    /// <summary>The server holds nothing it can tell: open the next Write call at the first offset (<see cref="CommitDecision.Offset"/>).</summary>
    Restart,

    /// <summary>The server holds the whole resource; <see cref="CommitDecision.Offset"/> is its final committed size.</summary>
    Complete,

    /// <summary>The call ended before the upload was finished and its answer does not say where the server stands: ask QueryWriteStatus.</summary>
    AskStatus,

    /// <summary>The call's own failure stands: the server refused a resumed call for something else than its offset: it holds exactly that offset.</summary>
    CallFailed,

    /// <summary>The answer is not one the protocol allows, or the caller's data cannot match it: <see cref="CommitDecision.Error"/> says why.</summary>
    Fail,
}

/// <summary>One decision of <see cref="CommitJudge"/>.</summary>
/// <param name="Verdict">What to do next.</param>
/// <param name="Offset">The offset or committed size the verdict is about.</param>
/// <param name="Progressed">Whether the server committed more than it was known to hold: the retry budget starts afresh.</param>
/// <param name="Error">The exception to throw for <see cref="CommitVerdict.Fail"/>.</param>
/// <param name="FreshUpload">
/// For a <see cref="CommitVerdict.Restart"/>: start again under a new upload id, because the server keeps a partial
/// upload under this name that a Write from offset 0 would not be allowed to rewind.
/// </param>
internal readonly record struct CommitDecision(CommitVerdict Verdict, long Offset, bool Progressed = false, ByteStreamException? Error = null, bool FreshUpload = false)
{
    public static CommitDecision Failed(ByteStreamException error) => new(CommitVerdict.Fail, error.CommittedSize ?? 0, Error: error);
}
