using Bytestream.Client.Internal;
using Grpc.Core;

namespace Bytestream.Client;

public partial class ByteStreamClient
{
    /// <summary>
    /// Opens a <see cref="Stream"/> that uploads what is written to it: full chunks go out as they
    /// fill, <see cref="Stream.FlushAsync(CancellationToken)"/> sends a partial one, and
    /// <see cref="ByteStreamWriteStream.CompleteAsync"/> (or disposal) finishes the upload. Failed
    /// chunks are resent from a replay buffer of at most <see cref="ByteStreamClientOptions.MaxReplayBufferSize"/> bytes.
    /// No call is made until the first write.
    /// </summary>
    /// <param name="resourceName">The resource to write, for example a REAPI upload name.</param>
    /// <param name="options">Per-upload settings; defaults when <see langword="null"/>.</param>
    /// <returns>A write-only, non-seekable stream.</returns>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character, or
    /// <see cref="UploadOptions.ExpectedLength"/> is negative.</exception>
    public virtual ByteStreamWriteStream OpenWrite(string resourceName, UploadOptions? options = null)
    {
        Guard.ResourceName(resourceName);
        CheckUploadOptions(options);
        return new ByteStreamWriteStream(_core, resourceName, options,
            options?.ExpectedLength ?? BlobResourceName.TryGetUncompressedSize(resourceName));
    }

    /// <summary>
    /// Uploads the bytes of <paramref name="source"/> from its current position to its end; they become
    /// the resource from offset 0. After a failure the client asks <c>QueryWriteStatus</c> and continues
    /// from the committed size: a seekable source is seeked back, a non-seekable one is replayed from a
    /// buffer of at most <see cref="ByteStreamClientOptions.MaxReplayBufferSize"/> bytes.
    /// </summary>
    /// <param name="resourceName">The resource to write, for example a REAPI upload name.</param>
    /// <param name="source">The data; read from its current position to its end.</param>
    /// <param name="options">Per-upload settings; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the upload; the committed bytes stay resumable.</param>
    /// <returns>The committed size, the bytes sent (resends included) and the number of resumes.</returns>
    /// <exception cref="ArgumentException">The resource name is <see langword="null"/>, empty, white space or holds a control character, the source is
    /// <see langword="null"/> or cannot be read, or <see cref="UploadOptions.ExpectedLength"/> is negative.</exception>
    /// <exception cref="RpcException">The server's error, when it is not retryable or outlasts the retries.</exception>
    /// <exception cref="ByteStreamException">The server broke the protocol, the source's length differs from the
    /// expected length, or a resume needed bytes no longer held.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<UploadResult> UploadAsync(string resourceName, Stream source,
        UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.ResourceName(resourceName);
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The source stream cannot be read.", nameof(source));
        }

        CheckUploadOptions(options);
        return UploadStreamAsync(resourceName, source, options, cancellationToken);
    }

    /// <summary>
    /// Uploads <paramref name="data"/> as the resource, resuming from the committed size after failures.
    /// The memory is sent without copying, so it must not change until the task completes.
    /// </summary>
    /// <param name="resourceName">The resource to write, for example a REAPI upload name.</param>
    /// <param name="data">The whole resource.</param>
    /// <param name="options">Per-upload settings; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the upload; the committed bytes stay resumable.</param>
    /// <returns>The committed size, the bytes sent (resends included) and the number of resumes.</returns>
    /// <exception cref="ArgumentException">The resource name is <see langword="null"/>, empty, white space or holds a control character, or
    /// <see cref="UploadOptions.ExpectedLength"/> (or the size in a REAPI upload name) differs from the data's length.</exception>
    /// <exception cref="RpcException">The server's error, when it is not retryable or outlasts the retries.</exception>
    /// <exception cref="ByteStreamException">The server broke the protocol.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<UploadResult> UploadAsync(string resourceName, ReadOnlyMemory<byte> data,
        UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.ResourceName(resourceName);
        CheckUploadOptions(options);
        var expected = options?.ExpectedLength ?? BlobResourceName.TryGetUncompressedSize(resourceName);
        if (expected is { } length && length != data.Length)
        {
            throw new ArgumentException(
                $"The data holds {data.Length} bytes, but '{resourceName}' is expected to hold {length}.", nameof(data));
        }

        return UploadMemoryAsync(resourceName, data, options, cancellationToken);
    }

    private static void CheckUploadOptions(UploadOptions? options)
    {
        if (options?.ExpectedLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExpectedLength, "UploadOptions.ExpectedLength must not be negative.");
        }
    }

    private async Task<UploadResult> UploadStreamAsync(string resourceName, Stream source, UploadOptions? options, CancellationToken cancellationToken)
    {
        var total = options?.ExpectedLength
            ?? BlobResourceName.TryGetUncompressedSize(resourceName)
            ?? (source.CanSeek ? source.Length - source.Position : null);
        UploadSource upload = source.CanSeek
            ? new SeekableUploadSource(resourceName, source, _core.Options.ChunkSize)
            : new BufferedStreamSource(resourceName, source, _core.Options.ChunkSize, _core.Options.MaxReplayBufferSize);
        using var session = new UploadSession(_core, resourceName, options, total, upload);
        return await session.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<UploadResult> UploadMemoryAsync(string resourceName, ReadOnlyMemory<byte> data, UploadOptions? options, CancellationToken cancellationToken)
    {
        using var session = new UploadSession(_core, resourceName, options, data.Length, new MemoryUploadSource(resourceName, data, _core.Options.ChunkSize));
        return await session.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
