namespace Bytestream.Testing.Internal;

/// <summary>
/// The state of one resumable upload: the bytes held (as the received messages' own buffers, so
/// appending never copies), how many of them are committed, and the Write call that owns it.
/// Only <see cref="ResourceStore"/> touches it, under its lock.
/// </summary>
internal sealed class Upload
{
    private readonly List<ReadOnlyMemory<byte>> _segments = [];

    /// <summary>Gets the number of bytes held: committed ones plus those received but not yet committed.</summary>
    public long Length { get; private set; }

    /// <summary>Gets or sets the committed size that QueryWriteStatus reports; never more than <see cref="Length"/>.</summary>
    public long Committed { get; set; }

    /// <summary>Gets or sets the id of the Write call that appends to the upload, or 0 when none does.</summary>
    public long Owner { get; set; }

    public void Append(ReadOnlyMemory<byte> data)
    {
        if (!data.IsEmpty)
        {
            _segments.Add(data);
            Length += data.Length;
        }
    }

    /// <summary>Keeps the first <paramref name="length"/> bytes, all of them committed.</summary>
    public void Truncate(long length)
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

    public byte[] ToArray()
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
