using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using RawByteStreamClient = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Interop;

/// <summary>
/// Transfers through the raw generated stub, independent of <see cref="ByteStreamClient"/>: they
/// check what the library uploaded, seed what it downloads, and leave partial uploads behind.
/// </summary>
internal static class RawByteStreamCalls
{
    /// <summary>
    /// Writes <paramref name="data"/> in one Write call from offset 0, <c>resource_name</c> on every
    /// request (Google's server needs it), <c>finish_write</c> on the last, then half-closes (the
    /// Go server ends the call only then).
    /// </summary>
    /// <returns>The committed size of the server's response.</returns>
    /// <exception cref="RpcException">The server's status when it ended the call with an error.</exception>
    public static async Task<long> WriteAsync(RawByteStreamClient stub, string resourceName, ReadOnlyMemory<byte> data, int chunkSize, CancellationToken cancellationToken = default)
    {
        using var call = stub.Write(cancellationToken: cancellationToken);
        try
        {
            var offset = 0;
            do
            {
                var length = Math.Min(chunkSize, data.Length - offset);
                await call.RequestStream.WriteAsync(new WriteRequest
                {
                    ResourceName = resourceName,
                    WriteOffset = offset,
                    Data = ByteString.CopyFrom(data.Span.Slice(offset, length)),
                    FinishWrite = offset + length == data.Length,
                }, cancellationToken);
                offset += length;
            }
            while (offset < data.Length);

            await call.RequestStream.CompleteAsync().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or IOException)
        {
            // The server ended the call while we were sending: its status is what counts.
        }

        var response = await call.ResponseAsync.WaitAsync(cancellationToken);
        return response.CommittedSize;
    }

    /// <summary>Reads a resource (or a range of it) in one Read call.</summary>
    /// <exception cref="RpcException">The server's error.</exception>
    public static async Task<byte[]> ReadAsync(RawByteStreamClient stub, string resourceName, long offset = 0, long limit = 0, CancellationToken cancellationToken = default)
    {
        using var call = stub.Read(new ReadRequest { ResourceName = resourceName, ReadOffset = offset, ReadLimit = limit }, cancellationToken: cancellationToken);
        using var buffer = new MemoryStream();
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            call.ResponseStream.Current.Data.WriteTo(buffer);
        }

        return buffer.ToArray();
    }

    /// <summary>Asks the server for the write status of <paramref name="resourceName"/>.</summary>
    /// <exception cref="RpcException">The server's error, e.g. NOT_FOUND.</exception>
    public static async Task<QueryWriteStatusResponse> QueryWriteStatusAsync(RawByteStreamClient stub, string resourceName, CancellationToken cancellationToken = default) =>
        await stub.QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = resourceName }, cancellationToken: cancellationToken);
}
