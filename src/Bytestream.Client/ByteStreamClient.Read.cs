namespace Bytestream.Client;

public partial class ByteStreamClient
{
    /// <summary>SKELETON</summary>
    public virtual ByteStreamReadStream OpenRead(string resourceName, long offset = 0, long limit = 0) =>
        throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public virtual Task<long> DownloadAsync(string resourceName, Stream destination,
        DownloadOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public virtual Task<byte[]> ReadAllBytesAsync(string resourceName, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
