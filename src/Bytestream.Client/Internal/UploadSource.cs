namespace Bytestream.Client.Internal;

/// <summary>
/// The bytes of one upload as the <see cref="UploadSession"/> sees them: it hands out the next chunk,
/// and resends a range after a resume. Memory slices again, a seekable stream rereads, a non-seekable
/// stream or a write stream keeps what was sent in a <see cref="ReplayBuffer"/>. Each source alone reads
/// and positions what it wraps.
/// </summary>
internal abstract class UploadSource(string resourceName) : IDisposable
{
    /// <summary>Gets the resource being written, for error messages.</summary>
    protected string ResourceName { get; } = resourceName;

    /// <summary>Gets the offset of the next byte <see cref="NextAsync"/> hands out.</summary>
    public long Position { get; protected set; }

    /// <summary>Gets the lowest offset that can still be resent.</summary>
    public virtual long HeldFrom => 0;

    /// <summary>Gets the replay buffer, for sources that must keep what they sent; <see langword="null"/> for sources that can reread.</summary>
    public virtual ReplayBuffer? Buffer => null;

    /// <summary>Hands out the next bytes at <see cref="Position"/>, at most a chunk; empty at the end. Valid until the next call.</summary>
    public abstract ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="UploadOptions.ResumeExistingUpload"/>: moves past the first <paramref name="count"/> bytes,
    /// which the server already holds. Throws <see cref="ByteStreamException"/> when the source is shorter.
    /// </summary>
    public abstract ValueTask SkipAsync(long count, CancellationToken cancellationToken);

    /// <summary>Sends the bytes from <paramref name="from"/> up to <paramref name="to"/> (at most <see cref="Position"/>) again, a chunk at a time.</summary>
    public abstract ValueTask ReplayAsync(long from, long to, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken);

    /// <summary>
    /// The server already holds the whole resource: returns where the caller's data ends when that is known
    /// without reading on (a write stream reads on and drops what is still written), otherwise <see langword="null"/>.
    /// </summary>
    public virtual ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);

    /// <summary>
    /// Goes back to offset 0, to send everything again from a fresh start (a compressed upload restarts with a
    /// fresh frame): <see langword="false"/> for sources that cannot reread what they handed out.
    /// </summary>
    public virtual bool TryRestart() => false;

    /// <summary>The caller's bytes that the bytes up to <paramref name="offset"/> carry: the same offset, except for a compressed upload.</summary>
    public virtual long UncompressedAt(long offset) => offset;

    /// <summary>The source ended: <see langword="null"/> when its bytes may be finished, else why not (a digest that does not match).</summary>
    public virtual ByteStreamException? CheckContent() => null;

    /// <summary>Gives back whatever the source holds; the upload is over.</summary>
    public abstract void Dispose();
}
