using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>Resources and uploads in memory: any name is fine, nothing survives the server.</summary>
internal sealed class MemoryStorage : ResourceStorage
{
    public override string? GetInvalidNameReason(string name) => null;

    public override void Load(IDictionary<string, StoredResource> resources, IDictionary<string, Upload> uploads)
    {
        // A new server in memory holds nothing.
    }

    public override StoredResource Store(string name, byte[] data) => new MemoryResource(data);

    public override Upload StartUpload(string name, StoredResource? existing)
    {
        var upload = new MemoryUpload();
        if (existing is MemoryResource stored)
        {
            upload.Append(stored.Data);
            upload.Committed = upload.Length;
        }

        return upload;
    }

    public override StoredResource Complete(string name, Upload upload) => new MemoryResource(((MemoryUpload)upload).ToArray());

    public override DecodedBlob StartDecoded(string uploadName, long size) => new ArrayBlob(uploadName, size);

    public override StoredResource StoreDecoded(string name, DecodedBlob blob) => new MemoryResource(((ArrayBlob)blob).Data);

    public override StoredResource Alias(string name, StoredResource resource) => resource;

    public override void Clear(IEnumerable<StoredResource> resources, IEnumerable<Upload> uploads)
    {
        // The store drops its references; the garbage collector does the rest.
    }

    /// <summary>A decoded blob in one array of the name's size, the form a <see cref="MemoryResource"/> keeps.</summary>
    private sealed class ArrayBlob : DecodedBlob
    {
        public ArrayBlob(string uploadName, long size)
        {
            if (size > Array.MaxLength)
            {
                throw new RpcException(new Status(
                    StatusCode.InvalidArgument,
                    $"The compressed upload '{uploadName}' is refused: its size {size} is more than the test server holds in one array (keep resources in a StorageDirectory)."));
            }

            Data = GC.AllocateUninitializedArray<byte>((int)size);
        }

        /// <summary>Gets the array; complete once <see cref="DecodedBlob.Length"/> is its length.</summary>
        public byte[] Data { get; }

        public override void Dispose()
        {
            // Only memory, which the resource keeps or the garbage collector takes.
        }

        protected override void WriteCore(ReadOnlySpan<byte> data) => data.CopyTo(Data.AsSpan((int)Length));
    }
}
