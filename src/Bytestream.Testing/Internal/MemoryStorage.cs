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

    public override StoredResource Alias(string name, StoredResource resource) => resource;

    public override void Clear(IEnumerable<StoredResource> resources, IEnumerable<Upload> uploads)
    {
        // The store drops its references; the garbage collector does the rest.
    }
}
