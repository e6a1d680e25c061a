using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// Keeps the pooled chunks of a write stream or a non-seekable upload that the server may not have
/// committed yet, up to <see cref="ByteStreamClientOptions.MaxReplayBufferSize"/> bytes, so a resumed
/// Write can send them again.
/// </summary>
internal sealed class ReplayBuffer(long maxBytes, long startOffset) : ReplaySource
{
    private readonly Queue<(byte[] Chunk, int Length)> _chunks = new();
    private long _start = startOffset;
    private long _held;

    public override long Start => _start;

    public long Held => _held;

    public override bool WouldOverflow(int length) => _held > 0 && _held + length > maxBytes;

    public override bool ShouldTrim => _held > 0 && _held >= maxBytes / 2;

    public override bool TryRetain(byte[] chunk, int length)
    {
        if (length > maxBytes)
        {
            // Cannot be kept at all: everything before the end of this chunk is gone.
            DropUntil(0);
            _start += length;
            return false;
        }

        _chunks.Enqueue((chunk, length));
        _held += length;
        return true;
    }

    public override void Release(long committedSize)
    {
        while (_chunks.TryPeek(out var head) && _start + head.Length <= committedSize)
        {
            Drop();
        }
    }

    public override long MakeRoom()
    {
        DropUntil(maxBytes / 2);
        return _start;
    }

    public override async ValueTask ReplayAsync(long from, long to, int chunkSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        var chunkStart = _start;
        foreach (var (chunk, length) in _chunks)
        {
            var chunkEnd = chunkStart + length;
            if (chunkEnd > from && chunkStart < to)
            {
                var skip = (int)Math.Max(0, from - chunkStart);
                var end = (int)(Math.Min(to, chunkEnd) - chunkStart);
                await send(chunk.AsMemory(skip, end - skip), cancellationToken).ConfigureAwait(false);
            }

            chunkStart = chunkEnd;
        }
    }

    public override void Clear() => DropUntil(0);

    private void DropUntil(long maxHeld)
    {
        while (_held > maxHeld && _chunks.Count > 0)
        {
            Drop();
        }
    }

    private void Drop()
    {
        var (chunk, length) = _chunks.Dequeue();
        _start += length;
        _held -= length;
        ArrayPool<byte>.Shared.Return(chunk);
    }
}
