namespace Bytestream.Client.Internal;

/// <summary>
/// The bytes of one upload as the <see cref="UploadSession"/> sees them, in the offsets of the wire. A source is
/// either the caller's data (memory, a seekable stream, a non-seekable stream, a write stream's writes) or a layer
/// around another source (the digest check, the zstd encoder, the replay buffer), put together by
/// <see cref="UploadSources"/>. Each source alone reads and positions what it wraps.
/// </summary>
internal abstract class UploadSource(string resourceName) : IDisposable
{
    /// <summary>Gets the resource being written, for error messages.</summary>
    protected string ResourceName { get; } = resourceName;

    /// <summary>Gets the offset of the next byte <see cref="NextAsync"/> hands out.</summary>
    public long Position { get; protected set; }

    /// <summary>Gets how many of the caller's bytes the source has taken so far: <see cref="Position"/>, unless a layer changes their form.</summary>
    public virtual long CallerPosition => Position;

    /// <summary>Gets whether <see cref="MoveToAsync"/> can go back, to hand out bytes again: the caller's data can be read again.</summary>
    public abstract bool CanRewind { get; }

    /// <summary>Hands out the next bytes at <see cref="Position"/>, at most a chunk; <see cref="UploadChunk.End"/> at the end. Valid until the next call.</summary>
    public abstract ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="offset"/> the next byte handed out: back, to send bytes again after a resume, or forward at
    /// the start, past what the server already holds (<see cref="UploadOptions.ResumeExistingUpload"/>).
    /// </summary>
    /// <exception cref="ByteStreamException">The bytes are no longer held, or the source is shorter than <paramref name="offset"/>.</exception>
    public abstract ValueTask MoveToAsync(long offset, CancellationToken cancellationToken);

    /// <summary>
    /// The server already holds the whole resource: returns where the caller's data ends when that is known
    /// without reading on (a write stream reads on and drops what is still written), otherwise <see langword="null"/>.
    /// </summary>
    public virtual ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(null);

    /// <summary>Gives back whatever the source holds; the upload is over.</summary>
    public abstract void Dispose();
}
