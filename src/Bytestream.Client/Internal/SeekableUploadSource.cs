using System.Buffers;

namespace Bytestream.Client.Internal;

/// <summary>
/// An upload from a seekable stream, from its position when the upload began: chunks are read into one
/// pooled buffer, and a resend seeks back and reads again.
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

    public override bool CanRewind => true;

    public override async ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        var buffer = (_buffer ?? throw new ObjectDisposedException(nameof(SeekableUploadSource))).AsMemory(0, _chunkSize);
        var read = await StreamReading.FillAsync(_stream, buffer, cancellationToken).ConfigureAwait(false);
        Position += read;
        return new UploadChunk(buffer[..read]);
    }

    public override ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        var available = _stream.Length - _startPosition;
        if (available < offset)
        {
            throw ThrowHelper.SourceShorterThanCommitted(ResourceName, offset, available);
        }

        _stream.Position = _startPosition + offset;
        Position = offset;
        return default;
    }

    public override void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
