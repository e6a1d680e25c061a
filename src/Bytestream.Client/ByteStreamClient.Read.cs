using Bytestream.Client.Internal;
using Grpc.Core;

namespace Bytestream.Client;

public partial class ByteStreamClient
{
    private static readonly DownloadOptions DefaultDownloadOptions = new();

    /// <summary>
    /// Opens a stream over a resource. No call is made until the first read; a read that fails with
    /// a retryable status continues with a new Read call at the current position and the remaining
    /// limit, so the caller sees one uninterrupted stream. Disposing the stream cancels the call.
    /// </summary>
    /// <param name="resourceName">The resource to read, for example a REAPI name <c>{instance}/blobs/{hash}/{size}</c>
    /// (whose size then sets the expected length: more bytes, or a clean end with fewer, is a <see cref="ByteStreamException"/>).</param>
    /// <param name="offset">The offset of the first byte to read. Default 0.</param>
    /// <param name="limit">The most bytes to read. Default 0: to the end of the resource.</param>
    /// <returns>A read-only stream whose <see cref="Stream.Position"/> is the absolute offset of the next byte.
    /// Its reads throw the server's <see cref="RpcException"/> (for example <see cref="StatusCode.NotFound"/>)
    /// when the failure is not retryable or outlasts the retry budget.</returns>
    /// <remarks>
    /// A whole REAPI blob is checked against the digest in its name: a mismatch throws <see cref="ByteStreamException"/>
    /// from the read that would report the end. A <c>compressed-blobs/zstd/</c> name reads the uncompressed bytes;
    /// with <see cref="ByteStreamClientOptions.Compression"/> set, a <c>blobs/</c> name read without a limit goes compressed.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character,
    /// or it is a compressed name and <paramref name="limit"/> is not 0.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> or <paramref name="limit"/> is negative.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or its digest function is not one REAPI defines.</exception>
    public virtual ByteStreamReadStream OpenRead(string resourceName, long offset = 0, long limit = 0)
    {
        Guard.ResourceName(resourceName);
        Guard.NotNegative(offset);
        Guard.NotNegative(limit);
        return new ByteStreamReadStream(CreateReader(resourceName, offset, limit, expectedLength: null, headers: null), progress: null);
    }

    /// <summary>
    /// Opens a stream over a resource with per-call settings: headers sent on every attempt, an
    /// expected length, progress reports (bytes received, as the stream hands them out). Otherwise
    /// the same as <see cref="OpenRead(string, long, long)"/>.
    /// </summary>
    /// <param name="resourceName">The resource to read.</param>
    /// <param name="options">Offset, limit, expected length, progress and headers of the read.</param>
    /// <returns>A read-only stream whose <see cref="Stream.Position"/> is the absolute offset of the next byte.</returns>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The offset, limit or expected length is negative.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or its digest function is not one REAPI
    /// defines while <see cref="DownloadOptions.VerifyDigest"/> is on.</exception>
    public virtual ByteStreamReadStream OpenRead(string resourceName, DownloadOptions options)
    {
        Guard.ResourceName(resourceName);
        ArgumentNullException.ThrowIfNull(options);
        return new ByteStreamReadStream(CreateReader(resourceName, options), options.Progress);
    }

    /// <summary>
    /// Reads a resource into <paramref name="destination"/>, writing each chunk as it arrives, and
    /// resuming after retryable failures at the current position with the remaining limit.
    /// </summary>
    /// <param name="resourceName">The resource to read, for example a REAPI name <c>{instance}/blobs/{hash}/{size}</c>
    /// (whose size then sets the expected length unless <see cref="DownloadOptions.ExpectedLength"/> does).</param>
    /// <param name="destination">Where the bytes go; it is written to, not flushed or disposed.</param>
    /// <param name="options">Offset, limit, expected length, progress and headers. Default: the whole resource.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The number of bytes written to <paramref name="destination"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character,
    /// or <paramref name="destination"/> cannot be written to.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="destination"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The offset, limit or expected length is negative.</exception>
    /// <exception cref="RpcException">The server's error when it is not retryable or outlasted the retry budget,
    /// for example <see cref="StatusCode.NotFound"/> or <see cref="StatusCode.OutOfRange"/>.</exception>
    /// <exception cref="ByteStreamException">The server sent more bytes than the expected length or the limit,
    /// or ended cleanly before the expected length; a whole REAPI blob did not match its digest (the bytes written to
    /// <paramref name="destination"/> are not valid: discard them); a compressed stream did not decode.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or its digest function is not one REAPI
    /// defines while <see cref="DownloadOptions.VerifyDigest"/> is on.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; never retried.</exception>
    public virtual Task<long> DownloadAsync(string resourceName, Stream destination,
        DownloadOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.ResourceName(resourceName);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream cannot be written to.", nameof(destination));
        }

        options ??= DefaultDownloadOptions;
        var reader = CreateReader(resourceName, options);
        return DownloadCoreAsync(reader, destination, options.Progress, cancellationToken);
    }

    /// <summary>
    /// Reads a whole resource into a new array, resuming after retryable failures. For a REAPI read
    /// name the array is allocated once at the size the name states. Otherwise the bytes are collected
    /// in segments and copied once into the result at the end (so the peak is about twice the
    /// resource); a read that passes <see cref="Array.MaxLength"/> stops at that byte, holding no more.
    /// </summary>
    /// <param name="resourceName">The resource to read.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The bytes of the resource.</returns>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character.</exception>
    /// <exception cref="RpcException">The server's error when it is not retryable or outlasted the retry budget,
    /// for example <see cref="StatusCode.NotFound"/>.</exception>
    /// <exception cref="ByteStreamException">The server sent more bytes than a REAPI name states, or fewer, or bytes that
    /// do not match its digest (nothing is returned), or a compressed stream that does not decode.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or its digest function is not one REAPI defines.</exception>
    /// <exception cref="InvalidOperationException">The resource is larger than a byte array can hold: known
    /// from a REAPI name before any call, otherwise as soon as the bytes received pass <see cref="Array.MaxLength"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; never retried.</exception>
    public virtual Task<byte[]> ReadAllBytesAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        Guard.ResourceName(resourceName);
        return ReadAllBytesCoreAsync(CreateReader(resourceName, offset: 0, limit: 0, expectedLength: null, headers: null), cancellationToken);
    }

    private ResumableReader CreateReader(string resourceName, DownloadOptions options)
    {
        Guard.NotNegative(options.Offset, "options.Offset");
        Guard.NotNegative(options.Limit, "options.Limit");
        if (options.ExpectedLength is { } expected)
        {
            Guard.NotNegative(expected, "options.ExpectedLength");
        }

        return CreateReader(resourceName, options.Offset, options.Limit, options.ExpectedLength, options.Headers,
            options.VerifyDigest, options.Compression);
    }

    private ResumableReader CreateReader(string resourceName, long offset, long limit, long? expectedLength, Metadata? headers,
        bool verifyDigest = true, BlobCompression? compression = null)
    {
        var plan = TransferPlanner.ForRead(_core, resourceName, offset, limit, expectedLength, verifyDigest, compression);
        return new(_core, plan, offset, limit, lengthFromCaller: expectedLength is not null, headers);
    }

    private static async Task<long> DownloadCoreAsync(ResumableReader reader, Stream destination,
        IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
    {
        using (reader)
        {
            while (true)
            {
                var chunk = await reader.ReadChunkAsync(cancellationToken).ConfigureAwait(false);
                if (chunk.IsEmpty)
                {
                    return reader.Received;
                }

                await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
                progress?.Report(new TransferProgress(reader.Received, reader.ExpectedLength));
            }
        }
    }

    private static async Task<byte[]> ReadAllBytesCoreAsync(ResumableReader reader, CancellationToken cancellationToken)
    {
        using (reader)
        {
            if (reader.ExpectedLength > Array.MaxLength)
            {
                throw ThrowHelper.TooLargeForArray(reader.ResourceName, reader.ExpectedLength.Value);
            }

            if (reader.ExpectedLength is { } expected)
            {
                // The reader fails on more bytes than expected and on a clean end with fewer, so the array fits exactly.
                var result = expected == 0 ? [] : new byte[expected];
                while (true)
                {
                    var offset = (int)reader.Received;
                    var chunk = await reader.ReadChunkAsync(cancellationToken).ConfigureAwait(false);
                    if (chunk.IsEmpty)
                    {
                        return result;
                    }

                    chunk.Span.CopyTo(result.AsSpan(offset));
                }
            }

            // Unknown length: the chunks are pooled and reused, so copy each out, and stop at the first byte
            // past what an array can hold, holding no more than that.
            var received = new ArrayCollector(Array.MaxLength);
            while (true)
            {
                var chunk = await reader.ReadChunkAsync(cancellationToken).ConfigureAwait(false);
                if (chunk.IsEmpty)
                {
                    return received.ToArray();
                }

                if (!received.TryAppend(chunk.Span))
                {
                    throw ThrowHelper.TooLargeForArray(reader.ResourceName, reader.Received);
                }
            }
        }
    }
}
