using System.Buffers;
using Bytestream.Client.Internal;

namespace Bytestream.Client;

/// <summary>
/// A write-only, non-seekable <see cref="Stream"/> that uploads what is written to it, created by
/// <see cref="ByteStreamClient.OpenWrite(string, UploadOptions?)"/>. Writes fill a chunk and full
/// chunks go out as they fill; <see cref="FlushAsync(CancellationToken)"/> sends a partial chunk;
/// <see cref="CompleteAsync"/> sends finish_write and checks that the server committed exactly
/// <see cref="Position"/> bytes. Failures are retried and resumed from a replay buffer of at most
/// <see cref="ByteStreamClientOptions.MaxReplayBufferSize"/> bytes. Not thread-safe, like other streams.
/// </summary>
/// <remarks>
/// Disposal completes the upload like <see cref="CompleteAsync"/>, except when a write failed or
/// <see cref="UploadOptions.ExpectedLength"/> is known and not reached: then no finish_write is sent and
/// disposal throws <see cref="ByteStreamException"/>. After the caller cancelled a write, or after
/// <see cref="Abort"/>, disposal ends the call quietly. Either way what the server committed stays resumable.
/// </remarks>
public sealed class ByteStreamWriteStream : Stream
{
    private readonly ClientCore _core;
    private readonly TransferPlan _plan;
    private readonly UploadOptions? _options;
    private BackgroundUpload? _upload;
    private long _position;
    private State _state;
    private Exception? _failure;
    private UploadResult? _result;
    private long _waitedCommit;

    internal ByteStreamWriteStream(ClientCore core, TransferPlan plan, UploadOptions? options)
    {
        _core = core;
        _plan = plan;
        ResourceName = plan.ResourceName;
        _options = options;
    }

    private enum State
    {
        Open,
        Failed,
        Cancelled,
        Aborted,
        Completed,
        Disposed,
    }

    /// <summary>Gets the name of the resource being written.</summary>
    public string ResourceName { get; }

    /// <summary>Gets the last committed size the server reported (through QueryWriteStatus or the final response).</summary>
    public long CommittedSize => _result?.CommittedSize ?? Math.Max(_upload?.CommittedSize ?? 0, Volatile.Read(ref _waitedCommit));

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <summary>Gets whether the stream still accepts writes: <see langword="false"/> once it is completed, aborted, failed or disposed.</summary>
    public override bool CanWrite => _state == State.Open;

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Length => throw new NotSupportedException();

    /// <summary>Gets the offset in the resource at which the next written byte lands. Setting it is not supported.</summary>
    /// <exception cref="NotSupportedException">On set.</exception>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Sends what is buffered, then finish_write, and checks that the server committed exactly
    /// <see cref="Position"/> bytes. Calling it again returns the same result.
    /// </summary>
    /// <param name="cancellationToken">Cancels the completion; the committed bytes stay resumable.</param>
    /// <returns>The committed size, the bytes sent (resends included) and the number of resumes.</returns>
    /// <exception cref="ByteStreamException"><see cref="UploadOptions.ExpectedLength"/> is known and not reached,
    /// the server broke the protocol, or a resume needed bytes no longer held.</exception>
    /// <exception cref="InvalidOperationException">A write failed, or the stream was aborted.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed before it completed.</exception>
    /// <exception cref="Grpc.Core.RpcException">The server's error, when it is not retryable or outlasts the retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<UploadResult> CompleteAsync(CancellationToken cancellationToken = default)
    {
        if (_result is not null)
        {
            return _result;
        }

        ThrowIfNotOpen();
        try
        {
            _result = await Start().CompleteAsync(cancellationToken).ConfigureAwait(false);
            _state = State.Completed;
            return _result;
        }
        catch (Exception ex) when (OnWriteFailed(ex, cancellationToken) is var seen && seen != ex)
        {
            throw seen;
        }
    }

    /// <summary>
    /// Ends the upload without finish_write. What the server committed stays resumable: upload the same
    /// data later with <see cref="UploadOptions.ResumeExistingUpload"/>. Does nothing once completed.
    /// </summary>
    public void Abort()
    {
        if (_state is State.Open or State.Failed or State.Cancelled)
        {
            _state = State.Aborted;
            Release();
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var copy = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            buffer.CopyTo(copy);
            WriteAsync(copy.AsMemory(0, buffer.Length)).AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Copies <paramref name="buffer"/> into the current chunk and sends every chunk that fills.</summary>
    /// <param name="buffer">The bytes to write.</param>
    /// <param name="cancellationToken">Cancels the write; the stream then accepts no more writes.</param>
    /// <returns>A task that completes when the bytes are buffered or sent.</returns>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="InvalidOperationException">The stream was completed or aborted, or an earlier write failed.</exception>
    /// <exception cref="ByteStreamException">More bytes than <see cref="UploadOptions.ExpectedLength"/>, or the server broke the protocol.</exception>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        if (buffer.IsEmpty)
        {
            return;
        }

        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_position + buffer.Length > _plan.Length)
            {
                throw ThrowHelper.LengthMismatch(ResourceName, _plan.Length.Value, _position + buffer.Length, CommittedSize);
            }

            var written = Start().WriteAsync(buffer, cancellationToken);
            _position += buffer.Length;
            await written.ConfigureAwait(false);
        }
        catch (Exception ex) when (OnWriteFailed(ex, cancellationToken) is var seen && seen != ex)
        {
            throw seen;
        }
    }

    /// <inheritdoc/>
    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count), callback, state);

    /// <inheritdoc/>
    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    /// <summary>Sends the partly filled chunk, if any. Does nothing once the stream is completed.</summary>
    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Sends the partly filled chunk, if any: the task completes once every byte written so far was handed
    /// to the Write call. That is sent, not committed: the bytes may still be in flight or in the server's
    /// buffers, so after <see cref="Abort"/>, a failure or the end of the process the server may hold fewer.
    /// <see cref="WaitForCommitAsync"/> waits until it reports them committed. Does nothing once the stream is completed.
    /// </summary>
    /// <param name="cancellationToken">Cancels the send, and with it the upload (as for a write).</param>
    /// <returns>A task that completes when the chunk was sent.</returns>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_state != State.Open || _upload is null)
        {
            return;
        }

        try
        {
            await _upload.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (OnWriteFailed(ex, cancellationToken) is var seen && seen != ex)
        {
            throw seen;
        }
    }

    /// <summary>
    /// Sends what was written (as <see cref="FlushAsync(CancellationToken)"/> does), then asks the server with
    /// <c>QueryWriteStatus</c>, with growing pauses, until it reports every byte written so far committed: from
    /// then on those bytes survive <see cref="Abort"/>, a failure or the end of this process, and
    /// <see cref="UploadOptions.ResumeExistingUpload"/> continues after them. The upload goes on meanwhile; do
    /// not write until the task completes. A server may commit nothing before <c>finish_write</c> (it then
    /// never reports the bytes): bound the wait with <paramref name="cancellationToken"/>.
    /// </summary>
    /// <remarks>
    /// On a <c>compressed-blobs/zstd/</c> name the flush pushes what was written through the encoder, and the wait is
    /// for the compressed bytes that carry it (REAPI counts a compressed upload's committed size in compressed bytes;
    /// a server that counts uncompressed ones, as buildfarm does, may end the wait sooner). A compressed upload never
    /// resumes mid-stream: after a failure, or with <see cref="UploadOptions.ResumeExistingUpload"/>, it starts again
    /// at 0, so there the wait says that the server received the bytes, not that a later upload skips them.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the wait only: the stream stays open and the upload goes on.</param>
    /// <returns>The committed size the server reported: at least the bytes sent for <see cref="Position"/> (for an
    /// uncompressed name, <see cref="Position"/> itself), unless it holds the whole resource.</returns>
    /// <exception cref="NotSupportedException">The server does not answer QueryWriteStatus (UNIMPLEMENTED), so it cannot say.</exception>
    /// <exception cref="ByteStreamException">The server reports more committed bytes than were written, or the upload failed.</exception>
    /// <exception cref="InvalidOperationException">A write failed, or the stream was aborted or completed.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    /// <exception cref="Grpc.Core.RpcException">QueryWriteStatus failed with a status that is not retryable, or outlasted the retries.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<long> WaitForCommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen();
        if (_position == 0)
        {
            return CommittedSize;
        }

        try
        {
            var committed = await _upload!.WaitForCommitAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _waitedCommit, Math.Max(_waitedCommit, committed));
            return committed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException && ex is not NotSupportedException && OnWriteFailed(ex, CancellationToken.None) is var seen && seen != ex)
        {
            throw seen;
        }
    }

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Completes the upload (see the remarks of <see cref="ByteStreamWriteStream"/>) and releases its buffers.</summary>
    /// <returns>A task that completes when the upload is finished or ended.</returns>
    /// <exception cref="ByteStreamException">A write failed, or the expected length was not reached: nothing was finished.</exception>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            switch (_state)
            {
                case State.Open:
                    await CompleteAsync(CancellationToken.None).ConfigureAwait(false);
                    break;
                case State.Failed:
                    throw ThrowHelper.WriteFailed(ResourceName, CommittedSize, _failure!);
            }
        }
        finally
        {
            _upload?.Dispose();
            _state = State.Disposed;
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc cref="DisposeAsync"/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && _state != State.Disposed)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    /// <summary>Starts the upload on first use: its session runs in the background and takes the writes.</summary>
    private BackgroundUpload Start() => _upload ??= new BackgroundUpload(_core, _plan, _options);

    /// <summary>Records a failed operation and returns what the caller sees: the failure, or a cancellation with the caller's token.</summary>
    private Exception OnWriteFailed(Exception error, CancellationToken cancellationToken)
    {
        var cancelled = error is OperationCanceledException && cancellationToken.IsCancellationRequested;
        if (_state == State.Open)
        {
            if (cancelled)
            {
                _state = State.Cancelled;
                Release();
            }
            else
            {
                _state = State.Failed;
                _failure = error;
                Release();
            }
        }

        return cancelled && error is OperationCanceledException { CancellationToken: var token } && token != cancellationToken
            ? new OperationCanceledException(error.Message, error, cancellationToken)
            : error;
    }

    /// <summary>Ends the upload's session, if it still runs: the call ends without finish_write.</summary>
    private void Release() => _upload?.Release();

    private void ThrowIfNotOpen()
    {
        switch (_state)
        {
            case State.Open:
                return;
            case State.Disposed:
                throw new ObjectDisposedException(nameof(ByteStreamWriteStream));
            case State.Failed:
                throw new InvalidOperationException($"An earlier write to '{ResourceName}' failed; the upload cannot go on. Dispose the stream and resume later with UploadOptions.ResumeExistingUpload.", _failure);
            default:
                throw new InvalidOperationException($"The upload of '{ResourceName}' was already {_state.ToString().ToLowerInvariant()}; it accepts no more writes.");
        }
    }
}
