using Grpc.Core;

namespace Bytestream.Client;

/// <summary>Per-call settings of a download (<see cref="ByteStreamClient.DownloadAsync(string, Stream, DownloadOptions?, CancellationToken)"/>).</summary>
public sealed class DownloadOptions
{
    /// <summary>Gets the offset in the resource of the first byte to read.</summary>
    /// <value>Default 0; zero or more.</value>
    public long Offset { get; init; }

    /// <summary>Gets the most bytes to read.</summary>
    /// <value>Default 0: read to the end of the resource.</value>
    public long Limit { get; init; }

    /// <summary>
    /// Gets the number of bytes the read must yield. More bytes than that is a
    /// <see cref="ByteStreamException"/> (a server that ignored the offset), fewer before a clean
    /// end of the stream too; an error that arrives after the last expected byte is success.
    /// </summary>
    /// <value>Default <see langword="null"/>: inferred from REAPI read names (<c>.../blobs/{hash}/{size}</c>), else unknown.</value>
    public long? ExpectedLength { get; init; }

    /// <summary>Gets the receiver of progress reports.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public IProgress<TransferProgress>? Progress { get; init; }

    /// <summary>Gets the headers sent with every Read attempt.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public Metadata? Headers { get; init; }

    /// <summary>
    /// Gets whether a read of a whole REAPI blob (<c>blobs/</c> or <c>compressed-blobs/</c>) is checked against
    /// the digest in its name, as the (uncompressed) bytes arrive. A mismatch is a <see cref="ByteStreamException"/>
    /// naming both digests, thrown instead of the end of the data. Reads of a part of a blob, and digest functions
    /// no .NET package computes (SHA256TREE, VSO, MURMUR3), are not checked.
    /// </summary>
    /// <value>Default <see langword="true"/> (as Bazel's <c>--remote_verify_downloads</c>).</value>
    public bool VerifyDigest { get; init; } = true;

    /// <summary>
    /// Gets whether this read of a REAPI <c>blobs/</c> name goes compressed; <see langword="null"/> takes
    /// <see cref="ByteStreamClientOptions.Compression"/>. Reads with a <see cref="Limit"/> never do: a
    /// compressed read cannot have one.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public BlobCompression? Compression { get; init; }
}
