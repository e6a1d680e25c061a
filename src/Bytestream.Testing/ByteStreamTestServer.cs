using Grpc.Net.Client;

namespace Bytestream.Testing;

/// <summary>SKELETON</summary>
public sealed class ByteStreamTestServer : IAsyncDisposable
{
    private ByteStreamTestServer() => Address = new Uri("http://127.0.0.1:0");

    /// <summary>SKELETON</summary>
    public static Task<ByteStreamTestServer> StartAsync(CancellationToken cancellationToken = default) => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public Uri Address { get; }

    /// <summary>SKELETON</summary>
    public GrpcChannel CreateChannel() => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public void SetResource(string resourceName, ReadOnlyMemory<byte> data) => throw new NotImplementedException();

    /// <summary>SKELETON</summary>
    public bool TryGetResource(string resourceName, out byte[] data) => throw new NotImplementedException();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
