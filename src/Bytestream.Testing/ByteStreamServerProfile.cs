namespace Bytestream.Testing;

/// <summary>
/// The personality of a <see cref="ByteStreamTestServer"/>: how the real servers a client meets behave
/// (where they differ from the spec), and hostile servers that break the protocol. Set it with
/// <see cref="ByteStreamTestServerOptions.Profile"/>; it lasts for the server's lifetime (it survives
/// <see cref="ByteStreamTestServer.Reset"/>), and <see cref="ByteStreamTestServer.Faults"/> still apply on top.
/// </summary>
/// <remarks>
/// What a client should make of each is in docs/reliability.md; in short, every profile must end in
/// success or in a clear error, within bounded time and memory.
/// </remarks>
public enum ByteStreamServerProfile
{
    /// <summary>The spec, as described on <see cref="ByteStreamTestServer"/>. The default.</summary>
    Standard,

    /// <summary>
    /// Buildbarn (<c>bb-storage</c>): QueryWriteStatus always answers <c>UNIMPLEMENTED</c> (an interrupted upload
    /// starts again at offset 0); a Read with <c>read_limit</c> other than 0 answers <c>UNIMPLEMENTED</c>; a Read
    /// past the end answers <c>INVALID_ARGUMENT</c> instead of <c>OUT_OF_RANGE</c>.
    /// </summary>
    Buildbarn,

    /// <summary>
    /// bazel-remote: QueryWriteStatus only ever answers (0, incomplete) or (size, complete), whatever the upload
    /// holds; a Write to a resource (or REAPI blob) that is already stored ends at once with OK and its size.
    /// </summary>
    BazelRemote,

    /// <summary>
    /// Hostile: QueryWriteStatus reports 1 MiB more than an unfinished upload holds, so more than the client sent.
    /// Complete resources are reported truly.
    /// </summary>
    CommittedBeyondReceived,

    /// <summary>
    /// Hostile: after its first answer about an unfinished upload, every QueryWriteStatus about it reports one
    /// byte less than the answer before (never below 0): committed sizes go backwards.
    /// </summary>
    CommittedGoingBackwards,

    /// <summary>
    /// Hostile: the answer to <c>finish_write</c> reports one byte more than was written (the resource itself is
    /// stored as received, and QueryWriteStatus reports it truly).
    /// </summary>
    WrongFinalCommittedSize,

    /// <summary>Hostile: Read ignores <c>read_offset</c> and always sends from byte 0 (as some servers did on resumed reads).</summary>
    IgnoresReadOffset,

    /// <summary>
    /// Hostile: a Read sends everything it was asked for in one <c>ReadResponse</c>, as Google's Go server does for a
    /// <c>read_limit</c> above 0: past 4 MiB, more than a gRPC client accepts by default.
    /// </summary>
    OversizedReadMessages,

    /// <summary>
    /// Hostile: a Read never ends: after the bytes asked for it sends the resource from byte 0 again, over and over,
    /// until the client cancels the call. (A resource of 0 bytes still ends.)
    /// </summary>
    EndlessRead,

    /// <summary>
    /// Hostile: every call stops moving bytes before it answers anything, until the client cancels it (or its
    /// deadline passes, or the server is disposed): a Read sends nothing, a Write reads no request after its first
    /// and stores nothing, a QueryWriteStatus never answers.
    /// </summary>
    StallsForever,

    /// <summary>
    /// Hostile: a Write is handled as usual (its bytes are committed, <c>finish_write</c> stores the resource), but
    /// the call ends with OK and no <c>WriteResponse</c> message, as Google's Go server does for a Write that
    /// ends without <c>finish_write</c>.
    /// </summary>
    OkWithoutResponse,
}
