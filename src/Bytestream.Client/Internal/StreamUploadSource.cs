using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// An upload from a non-seekable stream: each chunk is read into a pooled array that goes with it
/// (<see cref="UploadChunk.Lease"/>), so the replay buffer around it keeps the chunk without a copy.
/// It cannot go back: <see cref="UploadSources"/> puts a <see cref="ReplayingUploadSource"/> around it. Its first
/// chunk may have been read already (<paramref name="first"/>: to look at it before the plan was final).
/// </summary>
internal sealed class StreamUploadSource(string resourceName, Stream stream, int chunkSize, UploadChunk first = default) : UploadSource(resourceName)
{
    private UploadChunk _first = first;

    public override bool CanRewind => false;

    public override async ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        if (!_first.Data.IsEmpty)
        {
            var taken = _first;
            _first = default;
            Position += taken.Data.Length;
            return taken;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            var read = await StreamReading.FillAsync(stream, chunk.AsMemory(0, chunkSize), cancellationToken).ConfigureAwait(false);
            Position += read;
            if (read > 0)
            {
                return new UploadChunk(chunk.AsMemory(0, read), chunk);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(chunk);
            throw;
        }

        ArrayPool<byte>.Shared.Return(chunk);
        return UploadChunk.End;
    }

    /// <summary>Skips forward only, by reading and dropping (<see cref="UploadOptions.ResumeExistingUpload"/>).</summary>
    public override async ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset < Position)
        {
            throw new InvalidOperationException("A non-seekable stream cannot go back: its replay buffer resends.");
        }

        if (!_first.Data.IsEmpty)
        {
            var skip = (int)Math.Min(offset - Position, _first.Data.Length);
            _first = _first with { Data = _first.Data[skip..] };
            Position += skip;
        }

        var scratch = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            while (Position < offset)
            {
                var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(chunkSize, offset - Position)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw ThrowHelper.SourceShorterThanCommitted(ResourceName, offset, Position);
                }

                Position += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    public override void Dispose()
    {
        // The caller's stream is the caller's to dispose; a first chunk never handed out goes back.
        _first.Release();
        _first = default;
    }
}
