namespace Bytestream.Testing.Internal;

/// <summary>An upload held in memory as the received messages' own buffers, so appending never copies.</summary>
internal sealed class MemoryUpload : Upload
{
    private readonly List<ReadOnlyMemory<byte>> _segments = [];

    public override void Append(ReadOnlyMemory<byte> data)
    {
        if (!data.IsEmpty)
        {
            _segments.Add(data);
            Length += data.Length;
        }
    }

    public override void Truncate(long length)
    {
        while (Length > length)
        {
            var last = _segments[^1];
            var excess = Length - length;
            if (excess >= last.Length)
            {
                _segments.RemoveAt(_segments.Count - 1);
                Length -= last.Length;
            }
            else
            {
                _segments[^1] = last[..(last.Length - (int)excess)];
                Length = length;
            }
        }

        Committed = Length;
    }

    public override byte[] ToArray()
    {
        var result = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        var position = 0;
        foreach (var segment in _segments)
        {
            segment.Span.CopyTo(result.AsSpan(position));
            position += segment.Length;
        }

        return result;
    }
}
