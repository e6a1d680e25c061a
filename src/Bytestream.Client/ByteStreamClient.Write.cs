using System.Buffers;
using Bytestream.Client.Internal;
using Bytestream.Client.Internal.Zstd;
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
    /// <remarks>
    /// A <c>compressed-blobs/zstd/</c> upload name is compressed as it is written (a flush sends what was written so
    /// far as compressed bytes); <see cref="UploadOptions.Compression"/> does not apply to write streams.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character,
    /// <see cref="UploadOptions.ExpectedLength"/> is negative, or <see cref="UploadOptions.VerifyDigest"/> is set for a name without a digest
    /// or with <see cref="UploadOptions.ResumeExistingUpload"/>.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or <see cref="UploadOptions.VerifyDigest"/> asks for a digest function the client cannot compute.</exception>
    public virtual ByteStreamWriteStream OpenWrite(string resourceName, UploadOptions? options = null)
    {
        Guard.ResourceName(resourceName);
        var plan = TransferPlanner.ForUpload(_core, resourceName, options, sourceLength: null, mayChooseCompression: false);
        return new ByteStreamWriteStream(_core, plan, options);
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
    /// <remarks>
    /// A <c>compressed-blobs/zstd/</c> upload name, or a <c>blobs/</c> one with <see cref="UploadOptions.Compression"/>
    /// (or the client's <see cref="ByteStreamClientOptions.Compression"/>), is compressed on the fly; a failed compressed
    /// upload starts again at 0 (docs/reapi.md says why). A concurrent upload of the same blob on this client is shared
    /// (<see cref="ByteStreamClientOptions.ShareConcurrentUploads"/>).
    /// </remarks>
    /// <exception cref="ArgumentException">The resource name is <see langword="null"/>, empty, white space or holds a control character, the source is
    /// <see langword="null"/> or cannot be read, <see cref="UploadOptions.ExpectedLength"/> is negative, or
    /// <see cref="UploadOptions.VerifyDigest"/> is set for a name without a digest or with <see cref="UploadOptions.ResumeExistingUpload"/>.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or <see cref="UploadOptions.VerifyDigest"/> asks for a digest function the client cannot compute.</exception>
    /// <exception cref="RpcException">The server's error, when it is not retryable or outlasts the retries.</exception>
    /// <exception cref="ByteStreamException">The server broke the protocol, the source's length differs from the
    /// expected length, a resume needed bytes no longer held, or the data does not match its digest (<see cref="UploadOptions.VerifyDigest"/>).</exception>
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

        var start = source.CanSeek ? source.Position : 0;
        var plan = TransferPlanner.ForUpload(_core, resourceName, options, source.CanSeek ? source.Length - start : null);
        return UploadStreamAsync(plan, source, start, options, cancellationToken);
    }

    private async Task<UploadResult> UploadStreamAsync(TransferPlan plan, Stream source, long start, UploadOptions? options, CancellationToken cancellationToken)
    {
        // Auto's look at the first bytes: a seekable stream goes back to the start, a non-seekable one hands them out first.
        var first = UploadChunk.End;
        if (plan.SampleDecides)
        {
            var length = source.CanSeek ? CompressionSample.Size : _core.Options.ChunkSize;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            var read = await StreamReading.FillAsync(source, buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            plan = plan.Sampled(buffer.AsSpan(0, read), _core.Options.CompressionLevel);
            first = new UploadChunk(buffer.AsMemory(0, read), buffer);
            if (source.CanSeek)
            {
                source.Position = start;
                first.Release();
                first = UploadChunk.End;
            }
        }

        return await UploadAsync(plan, options, canRestart: source.CanSeek, () =>
        {
            if (!source.CanSeek)
            {
                return new StreamUploadSource(plan.ResourceName, source, _core.Options.ChunkSize, first);
            }

            // A fallback from compression starts again where the caller's data starts.
            source.Position = start;
            return new SeekableUploadSource(plan.ResourceName, source, _core.Options.ChunkSize);
        }, cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="ArgumentException">The resource name is <see langword="null"/>, empty, white space or holds a control character,
    /// <see cref="UploadOptions.ExpectedLength"/> (or the size in a REAPI upload name) differs from the data's length, or
    /// <see cref="UploadOptions.VerifyDigest"/> is set for a name without a digest or with <see cref="UploadOptions.ResumeExistingUpload"/>.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or <see cref="UploadOptions.VerifyDigest"/> asks for a digest function the client cannot compute.</exception>
    /// <exception cref="RpcException">The server's error, when it is not retryable or outlasts the retries.</exception>
    /// <exception cref="ByteStreamException">The server broke the protocol, or the data does not match its digest (<see cref="UploadOptions.VerifyDigest"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<UploadResult> UploadAsync(string resourceName, ReadOnlyMemory<byte> data,
        UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        Guard.ResourceName(resourceName);
        var plan = TransferPlanner.ForUpload(_core, resourceName, options, data.Length, exactSourceName: nameof(data))
            .Sampled(data.Span, _core.Options.CompressionLevel);
        return UploadAsync(plan, options, canRestart: true, () => new MemoryUploadSource(resourceName, data, _core.Options.ChunkSize), cancellationToken);
    }

    /// <summary>
    /// Runs an upload: shared with a concurrent one of the same blob when the options allow, compressed when the
    /// plan says so, and uncompressed after all when a server without compressed blobs refuses the compressed
    /// name the client chose (if the source can be read again).
    /// </summary>
    private Task<UploadResult> UploadAsync(TransferPlan plan, UploadOptions? options, bool canRestart,
        Func<UploadSource> createSource, CancellationToken cancellationToken)
    {
        Task<UploadResult> Upload(CancellationToken token) => UploadChoosingCompressionAsync(plan, options, canRestart, createSource, token);
        return _core.Options.ShareConcurrentUploads && plan.SharingKey is { } key
            ? _sharedUploads.RunAsync(key, Upload, cancellationToken)
            : Upload(cancellationToken);
    }

    private async Task<UploadResult> UploadChoosingCompressionAsync(TransferPlan plan, UploadOptions? options, bool canRestart,
        Func<UploadSource> createSource, CancellationToken cancellationToken)
    {
        if (plan.CanFallBackToPlain)
        {
            try
            {
                return await RunSessionAsync(plan, options, createSource, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unimplemented or StatusCode.InvalidArgument && canRestart && !cancellationToken.IsCancellationRequested)
            {
                Log.CompressionUnsupported(_core.Logger, plan.WireName, ex.StatusCode, plan.ResourceName);
                _core.CompressionUnsupported = true;
                plan = plan.Plain();
            }
        }

        return await RunSessionAsync(plan, options, createSource, cancellationToken).ConfigureAwait(false);
    }

    private async Task<UploadResult> RunSessionAsync(TransferPlan plan, UploadOptions? options, Func<UploadSource> createSource, CancellationToken cancellationToken)
    {
        using var session = new UploadSession(_core, plan, options, createSource());
        return await session.RunAsync(cancellationToken).ConfigureAwait(false);
    }
}
