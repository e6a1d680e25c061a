namespace Bytestream.Testing.Internal;

/// <summary>A complete resource as the store holds it: in memory or in a file under the storage directory.</summary>
internal abstract class StoredResource
{
    /// <summary>The largest resource whose zstd frame is kept (see <see cref="GetZstdFrameAsync"/>).</summary>
    private const long MaxKeptZstd = 1L << 30;

    private MemoryResource? _zstd;

    /// <summary>Gets whether the resource keeps its zstd frame in memory once made (see <see cref="GetZstdFrameAsync"/>).</summary>
    protected virtual bool KeepsZstdFrame => true;

    /// <summary>Gets the resource's size in bytes.</summary>
    public abstract long Length { get; }

    /// <summary>
    /// Opens the bytes for one Read call; dispose it when the call ends. A file-backed reader keeps its
    /// file open, so an upload that replaces the resource meanwhile does not change what the call sends.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">NOT_FOUND: the file is gone.</exception>
    public abstract IResourceReader OpenReader();

    /// <summary>Returns a copy of the whole content.</summary>
    public abstract byte[] ToArray();

    /// <summary>
    /// The whole resource as one zstd frame, made on the first compressed read from byte 0 and kept with the resource
    /// (which never changes), as bazel-remote keeps blobs compressed: later such reads cost the server no compression,
    /// so a benchmark of compressed downloads measures the client. <see langword="null"/> for a resource over 1 GiB or
    /// one that keeps no frame (<see cref="KeepsZstdFrame"/>), which is compressed on every read instead.
    /// </summary>
    public async ValueTask<MemoryResource?> GetZstdFrameAsync(int level, CancellationToken cancellationToken)
    {
        if (_zstd is not null || !KeepsZstdFrame || Length > MaxKeptZstd)
        {
            return _zstd;
        }

        using var frame = new MemoryStream();
        using (var payload = new ZstdReadPayload(this, start: 0, passes: 1, level))
        {
            for (var chunk = await payload.NextAsync(int.MaxValue, cancellationToken).ConfigureAwait(false); !chunk.IsEmpty;
                 chunk = await payload.NextAsync(int.MaxValue, cancellationToken).ConfigureAwait(false))
            {
                frame.Write(chunk.Span);
            }
        }

        // Two first reads at once both compress; either frame will do.
        return Interlocked.CompareExchange(ref _zstd, new MemoryResource(frame.ToArray()), null) ?? _zstd;
    }
}
