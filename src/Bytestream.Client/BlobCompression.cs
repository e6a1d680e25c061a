namespace Bytestream.Client;

/// <summary>
/// Whether transfers of REAPI <c>blobs/</c> names go compressed, as <c>compressed-blobs/zstd/</c> names
/// (<see cref="ByteStreamClientOptions.Compression"/>, <see cref="UploadOptions.Compression"/>,
/// <see cref="DownloadOptions.Compression"/>). A <c>compressed-blobs/zstd/</c> name is always compressed,
/// and other names never are, whatever this says.
/// </summary>
public enum BlobCompression
{
    /// <summary>The bytes go as they are.</summary>
    None,

    /// <summary>
    /// zstd for blobs of at least <see cref="ByteStreamClientOptions.CompressionThreshold"/> bytes whose first 64 KiB
    /// shrink by at least 1/32 when compressed (uploads look at them first; random or already compressed data goes as
    /// it is); smaller ones go as they are.
    /// </summary>
    Auto,

    /// <summary>zstd for every blob, whatever its size.</summary>
    Zstd,
}
