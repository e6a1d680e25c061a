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

    /// <summary>Stores a complete resource; the storage owns <paramref name="data"/> from now on and never changes it.</summary>
    public abstract StoredResource Store(string name, byte[] data);

    /// <summary>
    /// Stores the decoded blob of a compressed upload under its plain read name: <paramref name="data"/>, or, for a
    /// storage that keeps no bytes (<see cref="ByteStreamTestServerOptions.DiscardData"/>), only its <paramref name="length"/>.
    /// </summary>
    public virtual StoredResource StoreDecoded(string name, byte[]? data, long length) =>
        Store(name, data ?? throw new InvalidOperationException("This storage keeps bytes: a decoded blob must come with them."));

    /// <summary>Starts an upload of <paramref name="name"/>, holding a copy of <paramref name="existing"/> when there is one.</summary>
    public abstract Upload StartUpload(string name, StoredResource? existing);

    /// <summary>Turns a finished upload into the complete resource <paramref name="name"/>; the upload is gone afterwards.</summary>
    public abstract StoredResource Complete(string name, Upload upload);

    /// <summary>Stores <paramref name="resource"/> under a second name (the REAPI blob name of an upload).</summary>
    public abstract StoredResource Alias(string name, StoredResource resource);

    /// <summary>Forgets the given resources and uploads (<see cref="ByteStreamTestServer.Reset"/>).</summary>
    public abstract void Clear(IEnumerable<StoredResource> resources, IEnumerable<Upload> uploads);
}
