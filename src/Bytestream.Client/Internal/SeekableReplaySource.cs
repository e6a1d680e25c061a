using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>Replays an upload from a seekable stream by seeking back and reading again, then restores the stream's position.</summary>
internal sealed class SeekableReplaySource(Stream source, long startPosition) : ReplaySource
{
    /// <summary>Bytes before the start position are not part of the upload; any offset from 0 can be reread.</summary>
    public override long Start => 0;

    public override async ValueTask ReplayAsync(long from, long to, int chunkSize, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        var resumeAt = source.Position;
        var buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            source.Position = startPosition + from;
            for (var offset = from; offset < to;)
            {
                var wanted = (int)Math.Min(chunkSize, to - offset);
                var read = await StreamReading.FillAsync(source, buffer.AsMemory(0, wanted), cancellationToken).ConfigureAwait(false);
                if (read < wanted)
                {
                    throw new IOException($"The source stream ended at offset {offset + read} while resending bytes up to {to}: it changed during the upload.");
                }

                await send(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            source.Position = resumeAt;
        }
    }
}
