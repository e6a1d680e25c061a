namespace Bytestream.Testing.Internal;

/// <summary>
/// Where <see cref="ResourceStore"/> keeps the bytes of resources and uploads: memory (the default) or files
/// under <see cref="ByteStreamTestServerOptions.StorageDirectory"/>. The store keeps the protocol's
/// semantics; a storage only holds bytes. Every method is called under the store's lock.
/// </summary>
internal abstract class ResourceStorage
{
    /// <summary>Returns why <paramref name="name"/> cannot be stored here, or <see langword="null"/> when it can.</summary>
    public abstract string? GetInvalidNameReason(string name);

    /// <summary>Adds what the storage already holds (after a restart) to the store's indexes.</summary>
    public abstract void Load(IDictionary<string, StoredResource> resources, IDictionary<string, Upload> uploads);

    /// <summary>
    /// A complete resource that appeared in the storage after <see cref="Load"/> without the store (a file copied into
    /// the directory), or <see langword="null"/>: memory holds only what the store put there.
    /// </summary>
    public virtual StoredResource? Find(string name) => null;

    /// <summary>Stores a complete resource; the storage owns <paramref name="data"/> from now on and never changes it.</summary>
    public abstract StoredResource Store(string name, byte[] data);

    /// <summary>
    /// Starts the blob that one Write call to the compressed upload <paramref name="uploadName"/> decodes to, written as it
    /// decodes (the name says it is <paramref name="size"/> bytes), so that the server never holds more of it than the storage must.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">INVALID_ARGUMENT: a blob this storage cannot hold.</exception>
    public abstract DecodedBlob StartDecoded(string uploadName, long size);

    /// <summary>Stores a completely decoded blob under its plain read name <paramref name="name"/>; the storage owns its bytes from now on.</summary>
    public abstract StoredResource StoreDecoded(string name, DecodedBlob blob);

    /// <summary>Starts an upload of <paramref name="name"/>, holding a copy of <paramref name="existing"/> when there is one.</summary>
    public abstract Upload StartUpload(string name, StoredResource? existing);

    /// <summary>Turns a finished upload into the complete resource <paramref name="name"/>; the upload is gone afterwards.</summary>
    public abstract StoredResource Complete(string name, Upload upload);

    /// <summary>Stores <paramref name="resource"/> under a second name (the REAPI blob name of an upload).</summary>
    public abstract StoredResource Alias(string name, StoredResource resource);

    /// <summary>Forgets the given resources and uploads (<see cref="ByteStreamTestServer.Reset"/>).</summary>
    public abstract void Clear(IEnumerable<StoredResource> resources, IEnumerable<Upload> uploads);
}
