namespace Bytestream.Testing.Internal;

/// <summary>A complete resource as the store holds it: in memory or in a file under the storage directory.</summary>
internal abstract class StoredResource
{
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
}
