namespace Bytestream.Client.Internal;

/// <summary>What sets the most bytes a read may yield, so that a read that returns more says whom to blame.</summary>
internal enum ReadBound
{
    /// <summary>The read's <c>read_limit</c>: more is the server's fault.</summary>
    ReadLimit,

    /// <summary>The caller's <see cref="DownloadOptions.ExpectedLength"/>: the resource is longer than the caller thought.</summary>
    ExpectedLength,

    /// <summary>The size in a REAPI blob name: more is the server's fault (an ignored <c>read_offset</c>, a repeated stream).</summary>
    BlobSize,
}
