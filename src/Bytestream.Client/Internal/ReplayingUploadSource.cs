namespace Bytestream.Client.Internal;

/// <summary>
/// The layer around a source that cannot read its bytes twice (a non-seekable stream, a write stream, or the
/// zstd encoder over one of them): what it hands out stays in a <see cref="ReplayBuffer"/> until the session
/// drops it, and after a resume the bytes from the server's committed size come from there. A chunk that comes
/// with its own whole pooled array becomes a segment of the buffer as it is; others are copied in.
/// </summary>
internal sealed class ReplayingUploadSource(string resourceName, UploadSource inner, ReplayBuffer buffer, int chunkSize)
    : UploadSource(resourceName)
{
    public override bool CanRewind => true;

    public override long CallerPosition => inner.CallerPosition;

    public override async ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        if (Position == buffer.End)
        {
            var chunk = await inner.NextAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.Data.IsEmpty)
            {
                return chunk;
            }

            Keep(chunk);
        }

        var held = buffer.Read(Position, chunkSize);
        Position += held.Length;
        return new UploadChunk(held);
    }

    public override async ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset > buffer.End)
        {
            // Forward, at the start: past what the server already holds; nothing before it is kept.
            await inner.MoveToAsync(offset, cancellationToken).ConfigureAwait(false);
            buffer.StartAt(offset);
        }
        else if (offset < buffer.Start)
        {
            throw ThrowHelper.CannotResume(ResourceName, offset, buffer.Start);
        }

        Position = offset;
    }

    public override ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => inner.EndEarlyAsync(cancellationToken);

    public override void Dispose()
    {
        buffer.Dispose();
        inner.Dispose();
    }

    private void Keep(UploadChunk chunk)
    {
        if (chunk.Lease is { } lease && chunk.Data.Length == chunkSize && buffer.EndsOnSegment)
        {
            buffer.Adopt(lease);
            return;
        }

        for (var data = chunk.Data; !data.IsEmpty;)
        {
            var space = buffer.GetSpace();
            var count = Math.Min(space.Length, data.Length);
            data.Span[..count].CopyTo(space.Span);
            buffer.Advance(count);
            data = data[count..];
        }

        chunk.Release();
    }
}
