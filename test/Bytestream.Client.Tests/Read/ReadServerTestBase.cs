using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Read;

/// <summary>
/// One in-process test server per fixture (reset before each test) with a small read chunk, so
/// chunk-boundary cases stay small; clients record their ReadRequests.
/// </summary>
public abstract class ReadServerTestBase
{
    /// <summary>Data bytes per ReadResponse the server sends.</summary>
    protected const int Chunk = 64 * 1024;

    private readonly List<GrpcChannel> _channels = [];

    protected ByteStreamTestServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        Server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ReadChunkSize = Chunk }).DefaultTimeout();
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await Server.DisposeAsync().DefaultTimeout();
    }

    [SetUp]
    public void ResetServer() => Server.Reset();

    /// <summary>A client of the server with no backoff delays unless <paramref name="configure"/> sets them.</summary>
    protected ByteStreamClient CreateClient(Action<ByteStreamClientOptions>? configure = null) => CreateClient(out _, configure);

    private protected ByteStreamClient CreateClient(out ReadRequestRecorder recorder, Action<ByteStreamClientOptions>? configure = null)
    {
        var options = new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero };
        configure?.Invoke(options);
        var channel = Server.CreateChannel();
        _channels.Add(channel);
        recorder = new ReadRequestRecorder();
        return new ByteStreamClient(channel.Intercept(recorder), options);
    }

    /// <summary>Stores random data under a REAPI read name (so the client knows the expected length) and returns both.</summary>
    protected (string Name, byte[] Data) AddBlob(int size, int seed = 1)
    {
        var data = Payload.Create(size, seed);
        var name = Payload.BlobName(data);
        Server.SetResource(name, data);
        return (name, data);
    }

    /// <summary>Stores random data under a name that says nothing about its length.</summary>
    protected (string Name, byte[] Data) AddResource(int size, int seed = 1, string name = "plain/resource")
    {
        var data = Payload.Create(size, seed);
        Server.SetResource(name, data);
        return (name, data);
    }

    protected IReadOnlyList<ByteStreamCallRecord> ReadCalls => [.. Server.Calls.Where(c => c.Method == ByteStreamMethod.Read)];
}
