using System.Buffers;
using Bytestream.Client.Internal;

namespace Bytestream.Client;

public sealed partial record BlobResourceName
{
    private const int HashBufferSize = 1024 * 1024;

    /// <summary>
    /// Hashes <paramref name="content"/> from its current position to its end, in one pass with a pooled
    /// buffer, and returns the blob's name: the digest (hash and size) and, for functions other than the
    /// classic ones, the digest-function segment. Upload it with <see cref="ToUploadResourceName(Guid)"/>.
    /// </summary>
    /// <param name="instanceName">The instance name: empty, or segments separated by <c>/</c>.</param>
    /// <param name="content">The blob's bytes; read to its end and left there (a seekable stream can be rewound to upload it).</param>
    /// <param name="digestFunction">The REAPI digest function, in any case: <c>sha256</c> (<see langword="null"/>, the default),
    /// <c>sha1</c>, <c>md5</c>, <c>sha384</c>, <c>sha512</c> or <c>blake3</c>.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The name, with <see cref="DigestFunction"/> set for <c>blake3</c> only (REAPI omits the segment for the others).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="instanceName"/> or <paramref name="content"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="instanceName"/> is not a valid instance name, or <paramref name="content"/> cannot be read.</exception>
    /// <exception cref="NotSupportedException"><paramref name="digestFunction"/> is not one this client computes.</exception>
    /// <example>
    /// <code>
    /// await using var file = File.OpenRead("app.tar");
    /// var name = await BlobResourceName.ComputeAsync("main", file);
    /// file.Position = 0;
    /// await client.UploadAsync(name.ToUploadResourceName(Guid.NewGuid()), file);
    /// </code>
    /// </example>
    public static async Task<BlobResourceName> ComputeAsync(string instanceName, Stream content,
        string? digestFunction = null, CancellationToken cancellationToken = default)
    {
        CheckInstanceName(instanceName, nameof(instanceName));
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream cannot be read.", nameof(content));
        }

        var algorithm = ComputableAlgorithm(digestFunction);
        using var hasher = algorithm.CreateHasher();
        var buffer = ArrayPool<byte>.Shared.Rent(HashBufferSize);
        try
        {
            long size = 0;
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, HashBufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, read));
                size += read;
            }

            return new BlobResourceName(instanceName, hasher.FinishHex(), size)
            {
                DigestFunction = algorithm.NeedsSegment ? algorithm.Name : null,
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Hashes the file at <paramref name="path"/> like <see cref="ComputeAsync(string, Stream, string?, CancellationToken)"/>,
    /// reading it sequentially and asynchronously.
    /// </summary>
    /// <param name="instanceName">The instance name: empty, or segments separated by <c>/</c>.</param>
    /// <param name="path">The file.</param>
    /// <param name="digestFunction">The lowercase REAPI digest function; <see langword="null"/> for SHA-256.</param>
    /// <param name="cancellationToken">Cancels the reading.</param>
    /// <returns>The blob's name.</returns>
    /// <exception cref="ArgumentException"><paramref name="instanceName"/> is not a valid instance name, or <paramref name="path"/> is empty.</exception>
    /// <exception cref="NotSupportedException"><paramref name="digestFunction"/> is not one this client computes.</exception>
    /// <exception cref="IOException">The file cannot be read (for example <see cref="FileNotFoundException"/>).</exception>
    public static async Task<BlobResourceName> ComputeFileAsync(string instanceName, string path,
        string? digestFunction = null, CancellationToken cancellationToken = default)
    {
        CheckInstanceName(instanceName, nameof(instanceName));
        ArgumentException.ThrowIfNullOrEmpty(path);
        ComputableAlgorithm(digestFunction);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            return await ComputeAsync(instanceName, file, digestFunction, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DigestAlgorithm ComputableAlgorithm(string? digestFunction)
    {
        var algorithm = digestFunction is null ? DigestAlgorithm.Sha256 : DigestAlgorithm.Named(digestFunction);
        return algorithm is { CanCompute: true }
            ? algorithm
            : throw new NotSupportedException($"'{digestFunction}' is not a digest function this client computes: use one of {DigestAlgorithm.Computable}.");
    }
}
