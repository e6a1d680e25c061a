namespace Bytestream.Testing;

/// <summary>How <see cref="ByteStreamTestServer"/> answers <c>QueryWriteStatus</c>; set it through <see cref="ByteStreamFaults.QueryWriteStatusMode"/>.</summary>
public enum QueryWriteStatusMode
{
    /// <summary>
    /// The spec: the committed size and complete flag of an upload, (size, true) for a stored resource,
    /// <c>NOT_FOUND</c> for a name never written.
    /// </summary>
    Normal,

    /// <summary>Every call fails with <c>NOT_FOUND</c>, as if the server kept no upload state.</summary>
    NotFound,

    /// <summary>Every call fails with <c>UNIMPLEMENTED</c> (Buildbarn: uploads cannot be resumed).</summary>
    Unimplemented,

    /// <summary>
    /// bazel-remote: only (size, true) for a stored resource, and (0, false) for anything else, including
    /// names never written and uploads in progress.
    /// </summary>
    ZeroOrComplete,
}
