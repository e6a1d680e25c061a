namespace Bytestream.Testing.Internal;

/// <summary>The bytes one Read call puts on the wire, in the order it sends them: the stored bytes as they are, or zstd.</summary>
internal interface IReadPayload : IDisposable
{
    /// <summary>Returns the next 1 to <paramref name="max"/> bytes to send, or none at the end; the memory stays valid and unchanged after the call.</summary>
    ValueTask<ReadOnlyMemory<byte>> NextAsync(int max, CancellationToken cancellationToken);
}
