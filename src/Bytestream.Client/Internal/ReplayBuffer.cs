using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// The bytes of a write stream or a non-seekable upload from <see cref="Start"/> to <see cref="End"/>, kept
/// so that a resumed Write can send them again: pooled segments of one chunk each, all full but the last,
/// which new bytes fill first (so many small flushes share one segment). It holds at most
/// <see cref="ByteStreamClientOptions.MaxReplayBufferSize"/> bytes plus one segment; the
/// <see cref="UploadSession"/> decides when bytes may go.
/// </summary>
internal sealed class ReplayBuffer(long maxBytes, int segmentSize) : IDisposable
{
    private readonly List<byte[]> _segments = [];

    /// <summary>Gets the offset of the first byte held.</summary>
    public long Start { get; private set; }

    /// <summary>Gets the offset after the last byte held.</summary>
    public long End { get; private set; }

    /// <summary>Gets the most bytes the buffer may hold.</summary>
    public long MaxBytes => maxBytes;

    /// <summary>Gets whether the limit is below one chunk, so that nothing sent can be kept.</summary>
    public bool KeepsNothing => maxBytes < segmentSize;

    /// <summary>Gets the bytes held.</summary>
    public long Held => End - Start;

    /// <summary>Whether the buffer must drop bytes before it takes <paramref name="count"/> more.</summary>
    public bool NeedsRoom(int count) => Held > 0 && Held + count > maxBytes;

    /// <summary>Starts the (empty) buffer at <paramref name="offset"/>: the bytes before it are not kept.</summary>
    public void StartAt(long offset) => Start = End = offset;

    /// <summary>The free space after <see cref="End"/>, in the last segment or a new one.</summary>
    public Memory<byte> GetSpace()
    {
        var used = (int)(Held % segmentSize);
        if (used == 0 && (_segments.Count == 0 || Held == (long)_segments.Count * segmentSize))
        {
            _segments.Add(ArrayPool<byte>.Shared.Rent(segmentSize));
        }

        return _segments[^1].AsMemory(used, segmentSize - used);
    }

    /// <summary>Gets whether every segment is full, so that a whole chunk can be adopted as the next one.</summary>
    public bool EndsOnSegment => Held % segmentSize == 0;

    /// <summary>Takes a pooled array holding one whole chunk as the next segment, without a copy (see <see cref="EndsOnSegment"/>).</summary>
    public void Adopt(byte[] segment)
    {
        _segments.Add(segment);
        End += segmentSize;
    }

    /// <summary>Adds the <paramref name="count"/> bytes just written into <see cref="GetSpace"/>.</summary>
    public void Advance(int count) => End += count;

    /// <summary>The bytes from <paramref name="offset"/> on, at most <paramref name="maxLength"/>, within one segment.</summary>
    public ReadOnlyMemory<byte> Read(long offset, int maxLength)
    {
        var index = (int)((offset - Start) / segmentSize);
        var within = (int)((offset - Start) % segmentSize);
        var length = (int)Math.Min(Math.Min(maxLength, segmentSize - within), End - offset);
        return _segments[index].AsMemory(within, length);
    }

    /// <summary>Drops the whole segments below <paramref name="committedSize"/> (up to <paramref name="sentEnd"/>): the server has them.</summary>
    public void Release(long committedSize, long sentEnd) => DropWhile(segmentEnd => segmentEnd <= Math.Min(committedSize, sentEnd));

    /// <summary>Drops the oldest sent segments until at most half the limit is held; returns the new <see cref="Start"/>.</summary>
    public long MakeRoom(long sentEnd)
    {
        DropWhile(segmentEnd => segmentEnd <= sentEnd && Held > maxBytes / 2);
        return Start;
    }

    public void Dispose()
    {
        foreach (var segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        Start = End;
    }

    /// <summary>Drops leading segments while they are full and <paramref name="drop"/> says so of their end offset.</summary>
    private void DropWhile(Func<long, bool> drop)
    {
        while (_segments.Count > 0 && Start + segmentSize <= End && drop(Start + segmentSize))
        {
            ArrayPool<byte>.Shared.Return(_segments[0]);
            _segments.RemoveAt(0);
            Start += segmentSize;
        }
    }
}
