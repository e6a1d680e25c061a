using Grpc.Core;
using Microsoft.Win32.SafeHandles;

namespace Bytestream.Testing.Internal;

/// <summary>
/// A resource stored as a file under the server's storage directory. Files are replaced by moving a new
/// file over them, never rewritten in place, so a reader that opened one keeps reading what it opened.
/// </summary>
internal sealed class FileResource(string path, long length) : StoredResource
{
    public string Path => path;

    public override long Length => length;

    // A directory may hold many large files: a frame kept in memory for each would grow without bound.
    protected override bool KeepsZstdFrame => false;

    public override IResourceReader OpenReader() => new Reader(Open(), path);

    public override byte[] ToArray()
    {
        using var reader = new Reader(Open(), path);
        return reader.ReadAsync(0, checked((int)length), CancellationToken.None).AsTask().GetAwaiter().GetResult().ToArray();
    }

    private SafeFileHandle Open()
    {
        try
        {
            // FileShare.Delete lets an upload replace the file while this handle still reads the old one (Windows too).
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"The file of the resource, '{path}', is gone."));
        }
    }

    private sealed class Reader(SafeFileHandle handle, string path) : IResourceReader
    {
        public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(long offset, int count, CancellationToken cancellationToken)
        {
            // A fresh array per message: the gRPC message wraps it and may still be sending it after this returns.
            var buffer = GC.AllocateUninitializedArray<byte>(count);
            var total = 0;
            while (total < count)
            {
                var read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(total), offset + total, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new RpcException(new Status(StatusCode.DataLoss, $"The file '{path}' became shorter while it was read."));
                }

                total += read;
            }

            return buffer;
        }

        public void Dispose() => handle.Dispose();
    }
}
