using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// An upload from a seekable stream, from its position when the upload began: chunks are read into one
/// pooled buffer, and a resend seeks back and reads again, which leaves the stream where it was.
/// </summary>
internal sealed class SeekableUploadSource : UploadSource
{
    private readonly Stream _stream;
    private readonly long _startPosition;
    private readonly int _chunkSize;
    private byte[]? _buffer;

    public SeekableUploadSource(string resourceName, Stream stream, int chunkSize)
        : base(resourceName)
    {
        _stream = stream;
        _startPosition = stream.Position;
        _chunkSize = chunkSize;
        _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
    }

    public override async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        var read = await StreamReading.FillAsync(_stream, Chunk(_chunkSize), cancellationToken).ConfigureAwait(false);
        Position += read;
        return Chunk(read);
    }

    public override ValueTask SkipAsync(long count, CancellationToken cancellationToken)
    {
        var available = _stream.Length - _stream.Position;
        if (available < count)
        {
            throw ThrowHelper.SourceShorterThanCommitted(ResourceName, count, available);
        }

        _stream.Position += count;
        Position = count;
        return default;
    }

    public override async ValueTask ReplayAsync(long from, long to, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        _stream.Position = _startPosition + from;
        for (var offset = from; offset < to;)
        {
            var wanted = (int)Math.Min(_chunkSize, to - offset);
            var read = await StreamReading.FillAsync(_stream, Chunk(wanted), cancellationToken).ConfigureAwait(false);
            if (read < wanted)
            {
                throw new IOException($"The source stream ended at offset {offset + read} while resending bytes up to {to}: it changed during the upload.");
            }

            await send(Chunk(read), cancellationToken).ConfigureAwait(false);
            offset += read;
        }

        // Where the next chunk is read: a resend may stop short of the position (the chunk that follows is already read).
        _stream.Position = _startPosition + Position;
    }

    public override bool TryRestart()
    {
        _stream.Position = _startPosition;
        Position = 0;
        return true;
    }

    public override void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private Memory<byte> Chunk(int length) => (_buffer ?? throw new ObjectDisposedException(nameof(SeekableUploadSource))).AsMemory(0, length);
}
