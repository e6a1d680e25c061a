namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>
/// A non-seekable source that hands out its first <c>openBytes</c> bytes at once and the rest only after
/// <see cref="Open"/>: an upload from it stays in flight for as long as the test needs.
/// </summary>
internal sealed class GatedReadStream(byte[] data, int openBytes) : Stream
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Lets the reads past the first bytes go on.</summary>
    public void Open() => _gate.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= openBytes)
        {
            await _gate.Task.WaitAsync(cancellationToken);
        }

        var limit = _position < openBytes ? openBytes : data.Length;
        var count = Math.Min(buffer.Length, limit - _position);
        data.AsSpan(_position, count).CopyTo(buffer.Span);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
