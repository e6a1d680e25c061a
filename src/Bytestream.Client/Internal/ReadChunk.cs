using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// The data of one ReadResponse in an array rented from <see cref="ArrayPool{T}.Shared"/>, so a
/// download does not allocate a fresh (large-object-heap) array per message. The reader gives the
/// array back once the caller has consumed the chunk.
/// </summary>
internal sealed class ReadChunk
{
    public static readonly ReadChunk Empty = new(null, 0);

    private byte[]? _buffer;

    private ReadChunk(byte[]? buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Data => _buffer is null ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, Length);

    public static ReadChunk CopyOf(in ReadOnlySequence<byte> data)
    {
        if (data.IsEmpty)
        {
            return Empty;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)data.Length);
        data.CopyTo(buffer);
        return new ReadChunk(buffer, (int)data.Length);
    }

    /// <summary>Gives the array back to the pool; <see cref="Data"/> must not be used afterwards.</summary>
    public void Return()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
