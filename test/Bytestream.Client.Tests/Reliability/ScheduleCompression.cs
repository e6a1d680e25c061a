namespace Bytestream.Client.Tests.Reliability;

/// <summary>How a <see cref="FaultSchedule"/>'s transfer is compressed (docs/reapi.md, "Compressed blobs").</summary>
internal enum ScheduleCompression
{
    /// <summary>The bytes go as they are: an opaque name or a REAPI <c>blobs/</c> name.</summary>
    None,

    /// <summary>The caller names the blob <c>compressed-blobs/zstd/</c>; the client compresses and decompresses.</summary>
    Name,

    /// <summary>
    /// The caller names the blob <c>blobs/</c> and asks for <see cref="BlobCompression.Zstd"/> (per call, or for the
    /// whole client): the client sends the <c>compressed-blobs/zstd/</c> name, except where it documents that it does not
    /// (a write stream, a read with a limit), and falls back to the plain name when the server refuses zstd.
    /// </summary>
    ChosenByClient,
}
