namespace Bytestream.Client.Internal;

/// <summary>An upload from a non-seekable stream: each chunk is read straight into the replay buffer.</summary>
internal sealed class BufferedStreamSource(string resourceName, Stream stream, int chunkSize, long maxReplayBytes)
    : BufferedUploadSource(resourceName, chunkSize, maxReplayBytes)
{
    public override async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        var read = await StreamReading.FillAsync(stream, Buffer.GetSpace(), cancellationToken).ConfigureAwait(false);
        Buffer.Advance(read);
        return TakeUnsent();
    }

    public override async ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        // The empty buffer's space is the scratch for the bytes skipped.
        var scratch = Buffer.GetSpace();
        for (long skipped = 0; skipped < count;)
        {
            var read = await stream.ReadAsync(scratch[..(int)Math.Min(scratch.Length, count - skipped)], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw ThrowHelper.SourceShorterThanCommitted(ResourceName, count, skipped);
            }

            skipped += read;
        }

        Buffer.StartAt(count);
        Position = count;
    }
}
