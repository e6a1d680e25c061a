namespace Bytestream.Client;

/// <summary>SKELETON</summary>
public sealed class ByteStreamWriteStream : Stream
{
    private ByteStreamWriteStream() => ResourceName = "";

    /// <summary>SKELETON</summary>
    public string ResourceName { get; }

    /// <summary>SKELETON</summary>
    public long CommittedSize => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public Task<UploadResult> CompleteAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public void Abort() => throw new NotImplementedException();

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position { get => throw new NotImplementedException(); set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Flush() => throw new NotImplementedException();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotImplementedException();
}
