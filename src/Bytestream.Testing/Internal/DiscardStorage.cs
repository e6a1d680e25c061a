namespace Bytestream.Testing.Internal;

/// <summary>
/// <see cref="ByteStreamTestServerOptions.DiscardData"/>: a null sink and a zero source for benchmarks. Uploads
/// keep only their sizes and read back as zeros, so the server spends next to nothing on the bytes themselves.
/// </summary>
internal sealed class DiscardStorage : ResourceStorage
{
    public override string? GetInvalidNameReason(string name) => null;

    public override void Load(IDictionary<string, StoredResource> resources, IDictionary<string, Upload> uploads)
    {
        // Nothing survives a discarding server.
    }

    public override StoredResource Store(string name, byte[] data) => new MemoryResource(data);

    public override DecodedBlob StartDecoded(string uploadName, long size) => new CountedBlob();

    public override StoredResource StoreDecoded(string name, DecodedBlob blob) => new ZeroResource(blob.Length);

    public override Upload StartUpload(string name, StoredResource? existing)
    {
        var upload = new SizeOnlyUpload();
        if (existing is not null)
        {
            upload.Grow(existing.Length);
        }

        return upload;
    }

    public override StoredResource Complete(string name, Upload upload) => new ZeroResource(upload.Length);

    public override StoredResource Alias(string name, StoredResource resource) => resource;

    public override void Clear(IEnumerable<StoredResource> resources, IEnumerable<Upload> uploads)
    {
        // Only sizes were kept.
    }

    /// <summary>A decoded blob that is only counted.</summary>
    private sealed class CountedBlob : DecodedBlob
    {
        public override void Dispose()
        {
            // Nothing was kept.
        }

        protected override void WriteCore(ReadOnlySpan<byte> data)
        {
            // Dropped: a discarding server keeps sizes only.
        }
    }

    /// <summary>An upload that counts its bytes and drops them.</summary>
    private sealed class SizeOnlyUpload : Upload
    {
        public override void Append(ReadOnlyMemory<byte> data) => Length += data.Length;

        public override void Truncate(long length)
        {
            Length = Math.Min(Length, length);
            Committed = Length;
        }

        public void Grow(long length)
        {
            Length = length;
            Committed = length;
        }
    }

    /// <summary>A resource of zeros, read from one shared zeroed array.</summary>
    private sealed class ZeroResource(long length) : StoredResource, IResourceReader
    {
        private static byte[] s_zeros = [];

        public override long Length => length;

        public override IResourceReader OpenReader() => this;

        public override byte[] ToArray() => new byte[length];

        public ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int count, CancellationToken cancellationToken)
        {
            var zeros = s_zeros;
            if (zeros.Length < count)
            {
                // Grows once to the largest message the server sends; old readers keep the array they had.
                zeros = s_zeros = new byte[count];
            }

            return ValueTask.FromResult<ReadOnlyMemory<byte>>(zeros.AsMemory(0, count));
        }

        public void Dispose()
        {
            // Nothing of its own to release.
        }
    }
}
