using System.Buffers;
using System.Threading.Channels;

namespace Bytestream.Client.Internal;

/// <summary>
/// The source of a write stream. The caller's writes fill a pooled chunk on the caller's side; a full
/// chunk, or a partial one at a flush or at the end, goes through a channel to the session's side, which
/// hands it out with its array (<see cref="UploadChunk.Lease"/>), so the replay buffer around it keeps a
/// whole one without a copy. A write that fills no chunk returns at once; one that fills a chunk returns
/// once the session took it (so the next chunk fills while this one is on the wire); a flush is handed
/// out as a flush point and returns once the session asks for more, so once what came before was sent.
/// </summary>
internal sealed class WrittenUploadSource(string resourceName, int chunkSize) : UploadSource(resourceName)
{
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    // The caller's side. A chunk being filled when the upload ends is left to the garbage collector: the
    // session, which ends it, must not return an array the caller may still be copying into.
    private byte[]? _staging;
    private int _staged;
    private Exception? _failure;

    // The session's side.
    private Write? _flush;
    private bool _ended;
    private long _written;
    private long _toSkip;

    public override bool CanRewind => false;

    /// <summary>Copies <paramref name="data"/> into the upload; the task completes when the caller may reuse the memory.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            _staging ??= ArrayPool<byte>.Shared.Rent(chunkSize);
            var count = Math.Min(chunkSize - _staged, data.Length);
            data.Span[..count].CopyTo(_staging.AsSpan(_staged));
            _staged += count;
            data = data[count..];
            if (_staged == chunkSize)
            {
                await Post(TakeStaged()).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends what was written so far; the task completes when it was sent.</summary>
    public async Task FlushAsync()
    {
        if (_staged > 0)
        {
            await Post(TakeStaged()).ConfigureAwait(false);
        }

        await Post(new Write(null, 0, WriteKind.Flush)).ConfigureAwait(false);
    }

    /// <summary>No more writes: the session finishes the upload.</summary>
    public void End()
    {
        if (_staged > 0)
        {
            _ = Post(TakeStaged());
        }

        _ = Post(new Write(null, 0, WriteKind.End));
    }

    /// <summary>The session failed: pending and later writes fail with <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        _failure = error;
        _writes.Writer.TryComplete(error);
        _flush?.Done.TrySetException(error);
        while (_writes.Reader.TryRead(out var write))
        {
            write.Release();
            write.Done.TrySetException(error);
        }
    }

    public override async ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        // A flush handed out before: everything written before it has been sent.
        _flush?.Done.TrySetResult();
        _flush = null;
        while (!_ended)
        {
            var write = await _writes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            switch (write.Kind)
            {
                case WriteKind.Flush:
                    _flush = write;
                    return UploadChunk.FlushPoint;
                case WriteKind.End:
                    _ended = true;
                    continue;
            }

            _written += write.Length;
            var skip = (int)Math.Min(_toSkip, write.Length);
            _toSkip -= skip;
            write.Done.TrySetResult();
            if (skip == write.Length)
            {
                write.Release();
                continue;
            }

            Position += write.Length - skip;
            return write.Hand(skip);
        }

        return _toSkip > 0 ? throw ThrowHelper.SourceShorterThanCommitted(ResourceName, _written + _toSkip, _written) : UploadChunk.End;
    }

    /// <summary>Skips forward only, at the start: the caller writes the whole data again, and the first bytes it writes are dropped as they come.</summary>
    public override ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset < Position)
        {
            throw new InvalidOperationException("A write stream cannot go back: its replay buffer resends.");
        }

        _toSkip = offset - Position;
        Position = offset;
        return default;
    }

    public override async ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken)
    {
        // The server holds the resource: take and drop the rest of the writes, to learn where they end.
        _flush?.Done.TrySetResult();
        _flush = null;
        while (!_ended)
        {
            var write = await _writes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            _written += write.Length;
            _ended = write.Kind == WriteKind.End;
            write.Release();
            write.Done.TrySetResult();
        }

        return _written;
    }

    public override void Dispose()
    {
        // Writes that arrive from now on fail; those still queued give their chunks back.
        _writes.Writer.TryComplete();
        while (_writes.Reader.TryRead(out var write))
        {
            write.Release();
            write.Done.TrySetResult();
        }
    }

    private Write TakeStaged()
    {
        var write = new Write(_staging, _staged, WriteKind.Data);
        _staging = null;
        _staged = 0;
        return write;
    }

    private Task Post(Write write)
    {
        if (_writes.Writer.TryWrite(write))
        {
            return write.Done.Task;
        }

        write.Release();
        return Task.FromException(_failure ?? new ObjectDisposedException(nameof(WrittenUploadSource)));
    }

    private enum WriteKind
    {
        Data,
        Flush,
        End,
    }

    /// <summary>One item of the channel: a pooled chunk of data (owned by whoever holds the item), a flush, or the end.</summary>
    private sealed class Write(byte[]? chunk, int length, WriteKind kind)
    {
        public byte[]? Chunk { get; private set; } = chunk;

        public int Length => length;

        public WriteKind Kind => kind;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Hands the chunk out from <paramref name="skip"/> on, with its array: whoever takes it owns it.</summary>
        public UploadChunk Hand(int skip)
        {
            var chunk = new UploadChunk(Chunk.AsMemory(skip, length - skip), Chunk);
            Chunk = null;
            return chunk;
        }

        /// <summary>Gives the chunk back to the pool, once.</summary>
        public void Release()
        {
            if (Chunk is { } chunk)
            {
                Chunk = null;
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }
    }
}
