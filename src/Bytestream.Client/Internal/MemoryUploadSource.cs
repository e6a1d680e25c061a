namespace Bytestream.Client.Internal;

/// <summary>An upload of caller-owned memory: chunks and resends are slices of it, never copies.</summary>
internal sealed class MemoryUploadSource(string resourceName, ReadOnlyMemory<byte> data, int chunkSize) : UploadSource(resourceName)
{
    public override ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        var chunk = Slice(Position, data.Length);
        Position += chunk.Length;
        return ValueTask.FromResult(chunk);
    }

    public override ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        // The judge has checked the count against the data's length.
        Position = count;
        return default;
    }

    public override async ValueTask ReplayAsync(long from, long to, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        for (var offset = from; offset < to; offset += chunkSize)
        {
            await send(Slice(offset, to), cancellationToken).ConfigureAwait(false);
        }
    }

    public override bool TryRestart()
    {
        Position = 0;
        return true;
    }

    public override void Dispose()
    {
        // Caller-owned memory: nothing to give back.
    }

    public override ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => ValueTask.FromResult<long?>(data.Length);

    private ReadOnlyMemory<byte> Slice(long offset, long end) => data[(int)offset..(int)Math.Min(end, offset + chunkSize)];
}
