namespace Bytestream.Client.Internal;

/// <summary>
/// Where a resumed upload gets the bytes between the server's committed size and the writer's
/// position: a seekable stream rereads them, memory slices them, a <see cref="ReplayBuffer"/> keeps them.
/// </summary>
internal abstract class ReplaySource
{
    /// <summary>The lowest offset that can still be resent.</summary>
    public abstract long Start { get; }

    /// <summary>Whether keeping <paramref name="length"/> more bytes would pass the buffer's limit; sources that can reread never overflow.</summary>
    public virtual bool WouldOverflow(int length) => false;

    /// <summary>Whether enough is kept that it is time to ask the server what it committed; never for sources that can reread.</summary>
    public virtual bool ShouldTrim => false;

    /// <summary>Takes ownership of a pooled chunk that was just sent, if this source keeps bytes; otherwise the caller keeps it.</summary>
    public virtual bool TryRetain(byte[] chunk, int length) => false;

    /// <summary>Forgets the bytes below <paramref name="committedSize"/>: the server has them.</summary>
    public virtual void Release(long committedSize)
    {
    }

    /// <summary>Forgets the oldest bytes until at most half the limit is kept; returns the lowest offset still held.</summary>
    public virtual long MakeRoom() => Start;

    /// <summary>Sends the bytes from <paramref name="from"/> up to <paramref name="to"/> in chunks of at most <paramref name="chunkSize"/>.</summary>
    public abstract ValueTask ReplayAsync(long from, long to, int chunkSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken);

    /// <summary>Gives back whatever the source holds; the upload is over.</summary>
    public virtual void Clear()
    {
    }
}
