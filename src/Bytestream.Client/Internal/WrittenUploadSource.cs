using System.Threading.Channels;

namespace Bytestream.Client.Internal;

/// <summary>
/// The source of a write stream: the caller's writes come in through a channel and are copied into the
/// replay buffer; a chunk is handed out when it is full, at a flush, or at the end. The caller's task of a
/// write completes once its bytes are copied (so the next write fills the next chunk while this one is
/// on the wire), that of a flush once what came before it was sent.
/// </summary>
internal sealed class WrittenUploadSource(string resourceName, int chunkSize, long maxReplayBytes)
    : BufferedUploadSource(resourceName, chunkSize, maxReplayBytes)
{
    private readonly Channel<Write> _writes = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private Write? _current;
    private ReadOnlyMemory<byte> _rest;
    private Write? _flush;
    private bool _ended;
    private long _written;
    private long _toSkip;
    private long _skipped;
    private Exception? _failure;

    /// <summary>Copies <paramref name="data"/> into the upload; the task completes when it is copied. The memory must not change until then.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data) => Post(new Write(data, WriteKind.Data));

    /// <summary>Sends what was written so far; the task completes when it was sent.</summary>
    public Task FlushAsync() => Post(new Write(default, WriteKind.Flush));

    /// <summary>No more writes: the session finishes the upload.</summary>
    public void End() => Post(new Write(default, WriteKind.End));

    /// <summary>The session failed: pending and later writes fail with <paramref name="error"/>.</summary>
    public void Fail(Exception error)
    {
        _failure = error;
        _writes.Writer.TryComplete(error);
        _current?.Done.TrySetException(error);
        _flush?.Done.TrySetException(error);
        while (_writes.Reader.TryRead(out var write))
        {
            write.Done.TrySetException(error);
        }
    }

    public override async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var unsent = Buffer.End - Position;
            if (unsent > 0 && (Buffer.Held % ChunkSize == 0 || _flush is not null || _ended))
            {
                return TakeUnsent();
            }

            if (_current is { } current)
            {
                Copy();
                if (_rest.IsEmpty)
                {
                    _current = null;
                    current.Done.TrySetResult();
                }
            }
            else if (_flush is { } flush)
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
        _current?.Done.TrySetResult();
        _flush?.Done.TrySetResult();
        _current = _flush = null;
        while (!_ended)
        {
            var write = await _writes.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            Take(write);
            _current = null;
            write.Done.TrySetResult();
        }

        return _written;
    }

    private Task Post(Write write) =>
        _writes.Writer.TryWrite(write) ? write.Done.Task : Task.FromException(_failure ?? new ObjectDisposedException(nameof(WrittenUploadSource)));

    private void Take(Write write)
    {
        switch (write.Kind)
        {
            case WriteKind.Data:
                _current = write;
                _rest = write.Data;
                _written += write.Data.Length;
                break;
            case WriteKind.Flush:
                _flush = write;
                break;
            default:
                _ended = true;
                break;
        }
    }

    /// <summary>Copies as much of the current write as fits in the last segment, after dropping what is still to be skipped.</summary>
    private void Copy()
    {
        if (_toSkip > 0)
        {
            var skip = (int)Math.Min(_toSkip, _rest.Length);
            _rest = _rest[skip..];
            _toSkip -= skip;
            _skipped += skip;
            return;
        }

        var space = Buffer.GetSpace();
        var count = Math.Min(space.Length, _rest.Length);
        _rest.Span[..count].CopyTo(space.Span);
        Buffer.Advance(count);
        _rest = _rest[count..];
    }

    private enum WriteKind
    {
        Data,
        Flush,
        End,
    }

    private sealed class Write(ReadOnlyMemory<byte> data, WriteKind kind)
    {
        public ReadOnlyMemory<byte> Data => data;

        public WriteKind Kind => kind;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
