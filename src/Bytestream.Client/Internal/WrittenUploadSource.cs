using System.Buffers;
using System.Threading.Channels;

namespace Bytestream.Client.Internal;

/// <summary>
/// The source of a write stream. The caller's writes fill a pooled chunk on the caller's side; a full
/// chunk, or a partial one at a flush or at the end, goes through a channel to the session, which takes
/// a whole chunk into the replay buffer as it is (no copy) and copies a partial one into the buffer's
/// last segment. A write that fills no chunk returns at once; one that fills a chunk returns once the
/// session took it (so the next chunk fills while this one is on the wire); a flush returns once what
/// came before it was sent.
/// </summary>
internal sealed class WrittenUploadSource(string resourceName, int chunkSize, long maxReplayBytes)
    : BufferedUploadSource(resourceName, chunkSize, maxReplayBytes)
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
    private long _skipped;

    /// <summary>Copies <paramref name="data"/> into the upload; the task completes when the caller may reuse the memory.</summary>
    public async Task WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            _staging ??= ArrayPool<byte>.Shared.Rent(ChunkSize);
            var count = Math.Min(ChunkSize - _staged, data.Length);
            data.Span[..count].CopyTo(_staging.AsSpan(_staged));
            _staged += count;
            data = data[count..];
            if (_staged == ChunkSize)
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

    public override async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var unsent = Buffer.End - Position;
            if (unsent > 0 && (Buffer.EndsOnSegment || _flush is not null || _ended))
            {
                return TakeUnsent();
            }

            if (_flush is { } flush)
            {
                // Everything written before the flush has been handed out and sent.
                _flush = null;
                flush.Done.TrySetResult();
            }
            else if (_ended)
            {
                return _toSkip > 0 ? throw ThrowHelper.SourceShorterThanCommitted(ResourceName, _skipped + _toSkip, _skipped) : default;
            }
            else
            {
                Take(await _writes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false));
            }
        }
    }

    public override ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        // The caller writes the whole data again: the first count bytes it writes are dropped as they come.
        _toSkip = count;
        Buffer.StartAt(count);
        Position = count;
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

    /// <summary>Takes one write into the replay buffer (a whole chunk as the next segment, a partial one by a copy), or notes a flush or the end.</summary>
    private void Take(Write write)
    {
        switch (write.Kind)
        {
            case WriteKind.Flush:
                _flush = write;
                return;
            case WriteKind.End:
                _ended = true;
                return;
        }

        _written += write.Length;
        var data = write.Chunk.AsMemory(0, write.Length);
        var skip = (int)Math.Min(_toSkip, data.Length);
        _toSkip -= skip;
        _skipped += skip;
        data = data[skip..];
        if (data.Length == ChunkSize && Buffer.EndsOnSegment)
        {
            Buffer.Adopt(write.Chunk!);
        }
        else
        {
            while (!data.IsEmpty)
            {
                var space = Buffer.GetSpace();
                var count = Math.Min(space.Length, data.Length);
                data.Span[..count].CopyTo(space.Span);
                Buffer.Advance(count);
                data = data[count..];
            }

            write.Release();
        }

        write.Done.TrySetResult();
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
