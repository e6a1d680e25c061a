namespace Bytestream.Client.Internal;

/// <summary>Replays an upload of caller-owned memory by slicing it again.</summary>
internal sealed class MemoryReplaySource(ReadOnlyMemory<byte> data) : ReplaySource
{
    public override long Start => 0;

    public override async ValueTask ReplayAsync(long from, long to, int chunkSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        for (var offset = from; offset < to; offset += chunkSize)
        {
            await send(data[(int)offset..(int)Math.Min(to, offset + chunkSize)], cancellationToken).ConfigureAwait(false);
        }
    }
}
