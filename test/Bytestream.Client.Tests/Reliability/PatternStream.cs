using System.Numerics;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// A read-only, forward-only stream of <see cref="Length"/> pseudo-random bytes that are never held in
/// memory: byte p is a 1 MiB random block's byte (p mod 1 MiB) XOR the number of that MiB, so a byte that
/// lands at the wrong offset (even a whole MiB off) changes the SHA-256.
/// </summary>
internal sealed class PatternStream(long length, int seed = 1) : Stream
{
    private const int BlockSize = 1024 * 1024;

    private readonly byte[] _block = TestData.Random(BlockSize, seed);
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = (int)Math.Min(buffer.Length, length - _position);
        var written = 0;
        while (written < total)
        {
            var inBlock = (int)(_position % BlockSize);
            var count = Math.Min(total - written, BlockSize - inBlock);
            var salt = (byte)(_position / BlockSize);
            var target = buffer.Slice(written, count);
            _block.AsSpan(inBlock, count).CopyTo(target);
            if (salt != 0)
            {
                var mask = new Vector<byte>(salt);
                var i = 0;
                for (; i <= target.Length - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    (new Vector<byte>(target[i..]) ^ mask).CopyTo(target[i..]);
                }

                for (; i < target.Length; i++)
                {
                    target[i] ^= salt;
                }
            }

            written += count;
            _position += count;
        }

        return total;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
