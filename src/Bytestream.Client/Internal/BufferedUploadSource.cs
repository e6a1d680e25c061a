namespace Bytestream.Client.Internal;

/// <summary>
/// A source that cannot read its bytes twice (a non-seekable stream, a write stream): what it hands out
/// stays in its <see cref="ReplayBuffer"/> until the session drops it, and resends come from there.
/// </summary>
internal abstract class BufferedUploadSource(string resourceName, int chunkSize, long maxReplayBytes) : UploadSource(resourceName)
{
    private readonly ReplayBuffer _buffer = new(maxReplayBytes, chunkSize);

    public override long HeldFrom => _buffer.Start;

    public override ReplayBuffer Buffer => _buffer;

    /// <summary>Gets the largest chunk handed out at once.</summary>
    protected int ChunkSize => chunkSize;

    public override async ValueTask ReplayAsync(long from, long to, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        for (var offset = from; offset < to;)
        {
            var chunk = _buffer.Read(offset, (int)Math.Min(chunkSize, to - offset));
            await send(chunk, cancellationToken).ConfigureAwait(false);
            offset += chunk.Length;
        }
    }

    public override void Dispose() => _buffer.Dispose();

    /// <summary>Hands out the buffered bytes not handed out yet, at most a chunk (they lie in the last segment).</summary>
    protected ReadOnlyMemory<byte> TakeUnsent()
    {
        var chunk = _buffer.Read(Position, chunkSize);
        Position += chunk.Length;
        return chunk;
    }
}
