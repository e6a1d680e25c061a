namespace Bytestream.Testing.Internal;

/// <summary>
/// A resource held as one array that nothing ever changes, so every Read wraps it without copying and the
/// resource is its own reader.
/// </summary>
internal sealed class MemoryResource(byte[] data) : StoredResource, IResourceReader
{
    public byte[] Data => data;

    public override long Length => data.Length;

    public override IResourceReader OpenReader() => this;

    public override byte[] ToArray() => data.AsSpan().ToArray();

    public ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int count, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ReadOnlyMemory<byte>>(data.AsMemory((int)offset, count));

    public void Dispose()
    {
        // The array belongs to the store; a reader has nothing of its own to release.
    }
}
