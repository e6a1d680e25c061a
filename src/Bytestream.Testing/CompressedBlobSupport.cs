namespace Bytestream.Testing;

/// <summary>
/// How <see cref="ByteStreamTestServer"/> answers REAPI <c>compressed-blobs/{compressor}/...</c> names
/// (<see cref="ByteStreamTestServerOptions.CompressedBlobs"/>): as a server with zstd, or as one of the servers without it.
/// </summary>
public enum CompressedBlobSupport
{
    /// <summary>
    /// zstd, as REAPI defines it: blobs are stored uncompressed under their <c>blobs/</c> name; a Write to
    /// <c>{instance}/uploads/{uuid}/compressed-blobs/zstd/...</c> takes a zstd stream (first <c>write_offset</c> 0, later
    /// ones counting compressed bytes; a non-zero first offset is <c>INVALID_ARGUMENT</c>, as bazel-remote and NativeLink
    /// answer) and stores the decoded blob; a Read of <c>{instance}/compressed-blobs/zstd/...</c> (uncompressed
    /// <c>read_offset</c>, <c>read_limit</c> 0) sends the stored blob compressed. Other compressors are <c>INVALID_ARGUMENT</c>.
    /// </summary>
    Zstd,

    /// <summary>Every call on a <c>compressed-blobs/</c> name fails with <c>UNIMPLEMENTED</c> (a server without compression).</summary>
    Unimplemented,

    /// <summary>Every call on a <c>compressed-blobs/</c> name fails with <c>INVALID_ARGUMENT</c> (a server that does not know the name form).</summary>
    InvalidArgument,
}
