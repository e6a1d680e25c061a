namespace Bytestream.Client;

public partial class ByteStreamClient
{
    /// <summary>SKELETON</summary>
    public virtual ByteStreamWriteStream OpenWrite(string resourceName, UploadOptions? options = null) =>
        throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public virtual Task<UploadResult> UploadAsync(string resourceName, Stream source,
        UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public virtual Task<UploadResult> UploadAsync(string resourceName, ReadOnlyMemory<byte> data,
        UploadOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
