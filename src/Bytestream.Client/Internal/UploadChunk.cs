using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// What an <see cref="UploadSource"/> hands out: the next bytes, or a flush point (the caller flushed: whatever a
/// layer holds back must go out now), or the end (no bytes, no flush). A chunk read into a pooled array of its own
/// may hand that array over (<see cref="Lease"/>): whoever takes the chunk then owns it, and the replay buffer
/// keeps a whole one as a segment without a copy.
/// </summary>
internal readonly record struct UploadChunk(ReadOnlyMemory<byte> Data, byte[]? Lease = null, bool Flush = false)
{
    /// <summary>Gets the end of the source.</summary>
    public static UploadChunk End => default;

    /// <summary>Gets a flush point with no bytes.</summary>
    public static UploadChunk FlushPoint => new(ReadOnlyMemory<byte>.Empty, Flush: true);

    /// <summary>Gets whether the source has no more bytes.</summary>
    public bool IsEnd => Data.IsEmpty && !Flush;

    /// <summary>Gives the leased array, if any, back to the pool: the bytes were used (copied or sent).</summary>
    public void Release()
    {
        if (Lease is { } lease)
        {
            ArrayPool<byte>.Shared.Return(lease);
        }
    }
}
