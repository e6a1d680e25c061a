namespace Bytestream.Client.Internal;

/// <summary>An upload of caller-owned memory: chunks and resends are slices of it, never copies.</summary>
internal sealed class MemoryUploadSource(string resourceName, ReadOnlyMemory<byte> data, int chunkSize) : UploadSource(resourceName)
{
    public override bool CanRewind => true;

    public override ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        var chunk = data[(int)Position..(int)Math.Min(data.Length, Position + chunkSize)];
        Position += chunk.Length;
        return ValueTask.FromResult(new UploadChunk(chunk));
    }

    public override ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        // The judge has checked the offset against the data's length.
        Position = offset;
        return default;
    }

    public override ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(data.Length);

    public override void Dispose()
    {
        // Caller-owned memory: nothing to give back.
    }
}
