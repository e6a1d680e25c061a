using Bytestream.Client.Internal;

namespace Bytestream.Client;

/// <summary>
/// A read-only, forward-only <see cref="Stream"/> over a ByteStream resource, returned by
/// <see cref="ByteStreamClient.OpenRead(string, long, long)"/>. The first read opens the Read call;
/// a retryable failure opens a new one at the current position with the remaining limit, so the
/// caller sees one uninterrupted stream. Reads return 0 only at the real end of the resource (or
/// of the limit). Disposing the stream cancels a call that is still running.
/// Like most streams it supports one operation at a time.
/// </summary>
/// <remarks>
/// Errors: the server's <see cref="Grpc.Core.RpcException"/> when it is not retryable or outlasts
/// the retry budget (for example <see cref="Grpc.Core.StatusCode.NotFound"/>);
/// <see cref="ByteStreamException"/> when the server sends more bytes than allowed or ends before
/// the expected length; <see cref="OperationCanceledException"/> when the caller's token is cancelled
/// (the stream stays usable and a later read continues at <see cref="Position"/>).
/// </remarks>
public sealed class ByteStreamReadStream : Stream
{
    private readonly ResumableReader _reader;
    private readonly IProgress<TransferProgress>? _progress;

    // The part of the last received chunk that the caller has not read yet.
    private ReadOnlyMemory<byte> _pending;
    private bool _endOfStream;
    private bool _disposed;

    internal ByteStreamReadStream(ResumableReader reader, IProgress<TransferProgress>? progress)
    {
        _reader = reader;
        _progress = progress;
    }

    /// <summary>Gets the name of the resource this stream reads.</summary>
    public string ResourceName => _reader.ResourceName;

    /// <inheritdoc/>
    /// <value><see langword="true"/> until the stream is disposed.</value>
    public override bool CanRead => !_disposed;

    /// <inheritdoc/>
    /// <value>Always <see langword="false"/>.</value>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    /// <value>Always <see langword="false"/>.</value>
    public override bool CanWrite => false;

    /// <summary>Not supported: the length of a ByteStream resource is not known in advance.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Length => throw new NotSupportedException();

    /// <summary>Gets the absolute offset in the resource of the next byte a read returns; setting is not supported.</summary>
    /// <exception cref="NotSupportedException">On set.</exception>
    public override long Position
    {
        get => _reader.StartOffset + _reader.Received - _pending.Length;
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pending.IsEmpty && !_endOfStream)
        {
            Wait(FillAsync(CancellationToken.None));
        }

        return CopyPending(buffer);
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 0 ? -1 : one[0];
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>
    /// Reads the next bytes into <paramref name="buffer"/>: at least one unless the stream is at its end.
    /// A zero-length buffer waits until data is available without consuming it.
    /// </summary>
    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_disposed)
        {
            return ValueTask.FromException<int>(new ObjectDisposedException(GetType().FullName));
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        if (!_pending.IsEmpty || _endOfStream)
        {
            return new ValueTask<int>(CopyPending(buffer.Span));
        }

        return ReadSlowAsync(buffer, cancellationToken);
    }

    /// <inheritdoc/>
    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(ReadAsync(buffer, offset, count, CancellationToken.None), callback, state);

    /// <inheritdoc/>
    public override int EndRead(IAsyncResult asyncResult) => TaskToAsyncResult.End<int>(asyncResult);

    /// <summary>Writes the rest of the resource to <paramref name="destination"/>, each chunk as it arrives (no intermediate buffer).</summary>
    /// <inheritdoc/>
    public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        // Also throws ObjectDisposedException: CanRead is false once disposed.
        ValidateCopyToArguments(destination, bufferSize);
        return CopyToCoreAsync(destination, cancellationToken);
    }

    /// <summary>Writes the rest of the resource to <paramref name="destination"/>, each chunk as it arrives.</summary>
    /// <inheritdoc/>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        // Also throws ObjectDisposedException: CanRead is false once disposed.
        ValidateCopyToArguments(destination, bufferSize);
        while (true)
        {
            if (_pending.IsEmpty && !Wait(FillAsync(CancellationToken.None)))
            {
                return;
            }

            var chunk = _pending;
            _pending = default;
            destination.Write(chunk.Span);
        }
    }

    /// <summary>Does nothing: the stream is read-only.</summary>
    public override void Flush()
    {
    }

    /// <summary>Completes at once: the stream is read-only.</summary>
    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken) : Task.CompletedTask;

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <summary>Not supported.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void WriteByte(byte value) => throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        throw new NotSupportedException();

    /// <summary>Not supported: the stream is read-only.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void EndWrite(IAsyncResult asyncResult) => throw new NotSupportedException();

    /// <summary>
    /// Cancels the Read call if it is still running (close means cancel: the server stops sending);
    /// later operations throw <see cref="ObjectDisposedException"/>. Idempotent; <see cref="Stream.DisposeAsync"/>
    /// does the same, since cancelling a call does not wait for the server.
    /// </summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Stream.Dispose()"/>.</param>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _pending = default;
            _reader.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task CopyToCoreAsync(Stream destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pending.IsEmpty && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            // Taken before the write: a failed write must not hand the same bytes out twice.
            var chunk = _pending;
            _pending = default;
            await destination.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<int> ReadSlowAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await FillAsync(cancellationToken).ConfigureAwait(false);
        return CopyPending(buffer.Span);
    }

    /// <summary>Receives the next chunk into <see cref="_pending"/>; <see langword="false"/> at the end of the stream.</summary>
    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        var chunk = await _reader.ReadChunkAsync(cancellationToken).ConfigureAwait(false);
        if (chunk.IsEmpty)
        {
            _endOfStream = true;
            return false;
        }

        _pending = chunk;
        _progress?.Report(new TransferProgress(_reader.Received, _reader.ExpectedLength));
        return true;
    }

    private int CopyPending(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _pending.Length);
        _pending.Span[..count].CopyTo(destination);
        _pending = _pending[count..];
        return count;
    }

    private static T Wait<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
