namespace Bytestream.Testing.Internal;

/// <summary>The bytes of a <see cref="StoredResource"/> for one Read call.</summary>
internal interface IResourceReader : IDisposable
{
    /// <summary>Returns <paramref name="count"/> bytes from <paramref name="offset"/>; the memory stays valid and unchanged after the call.</summary>
    ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int count, CancellationToken cancellationToken);
}
