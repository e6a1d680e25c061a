namespace Bytestream.Cli.Tests;

/// <summary>
/// A read-only, forward-only stream of <c>length</c> bytes that compress to about 40% (8 letters, random within each 64 KiB
/// block, the same every time): large compressible data without holding it, for memory tests.
/// </summary>
public sealed class TextLikeStream(long length) : Stream
{
    private const int BlockSize = 64 * 1024;
    private static readonly byte[] Alphabet = "etaoinsh"u8.ToArray();

    private readonly byte[] _block = new byte[BlockSize];
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var inBlock = (int)(_position % BlockSize);
        if (inBlock == 0 && _position < length)
        {
            new Random((int)(_position / BlockSize)).NextBytes(_block);
            for (var i = 0; i < _block.Length; i++)
            {
                _block[i] = Alphabet[_block[i] & 7];
            }
        }

        var count = (int)Math.Min(Math.Min(buffer.Length, BlockSize - inBlock), length - _position);
        _block.AsSpan(inBlock, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
