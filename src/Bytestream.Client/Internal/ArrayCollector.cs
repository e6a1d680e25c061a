namespace Bytestream.Client.Internal;

/// <summary>
/// Collects a read of unknown length for one byte array, in segments that grow to a cap: no buffer is
/// doubled and copied as it grows, and the bytes held never pass <c>maxLength</c>, because an append that
/// would pass it is refused before anything is kept. <see cref="ToArray"/> copies once into the result.
/// </summary>
internal sealed class ArrayCollector
{
    private const int FirstSegmentSize = 64 * 1024;
    private const int MaxSegmentSize = 16 * 1024 * 1024;

    private readonly long _maxLength;
    private readonly List<byte[]> _segments = [];
    private int _lastSegmentUsed;

    /// <param name="maxLength">The most bytes the result may hold (<see cref="Array.MaxLength"/> for a real read).</param>
    public ArrayCollector(long maxLength)
    {
        _maxLength = maxLength;
    }

    /// <summary>Gets the bytes collected.</summary>
    public long Length { get; private set; }

    /// <summary>Gets the bytes of the segments allocated so far: at most <c>maxLength</c>.</summary>
    public long Allocated { get; private set; }

    /// <summary>Keeps <paramref name="data"/>, or returns <see langword="false"/> and keeps nothing if the total would pass the maximum.</summary>
    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        if (data.Length > _maxLength - Length)
        {
            return false;
        }

        while (!data.IsEmpty)
        {
            if (_segments.Count == 0 || _lastSegmentUsed == _segments[^1].Length)
            {
                AddSegment();
            }

            var segment = _segments[^1];
            var count = Math.Min(data.Length, segment.Length - _lastSegmentUsed);
            data[..count].CopyTo(segment.AsSpan(_lastSegmentUsed));
            _lastSegmentUsed += count;
            Length += count;
            data = data[count..];
        }

        return true;
    }

    /// <summary>Copies what was collected into one array of exactly <see cref="Length"/> bytes, and lets go of the segments.</summary>
    public byte[] ToArray()
    {
        var result = Length == 0 ? [] : GC.AllocateUninitializedArray<byte>((int)Length);
        var offset = 0;
        for (var i = 0; i < _segments.Count; i++)
        {
            var used = i == _segments.Count - 1 ? _lastSegmentUsed : _segments[i].Length;
            _segments[i].AsSpan(0, used).CopyTo(result.AsSpan(offset));
            offset += used;
            _segments[i] = [];
        }

        _segments.Clear();
        return result;
    }

    private void AddSegment()
    {
        // Each segment as large as all before it (a doubling total, without copying), capped, and never past the maximum.
        var size = (int)Math.Min(Math.Clamp(Allocated, FirstSegmentSize, MaxSegmentSize), _maxLength - Allocated);
        _segments.Add(GC.AllocateUninitializedArray<byte>(size));
        Allocated += size;
        _lastSegmentUsed = 0;
    }
}
