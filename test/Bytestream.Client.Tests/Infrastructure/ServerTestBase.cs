using Bytestream.Testing;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests;

/// <summary>
/// A fixture with one in-process test server for all its tests (reset before each test), and
/// clients whose retries wait milliseconds rather than seconds.
/// </summary>
public abstract class ServerTestBase
{
    private readonly List<GrpcChannel> _channels = [];

    protected ByteStreamTestServer Server { get; private set; } = null!;

    protected GrpcChannel Channel { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        Server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        Channel = Server.CreateChannel();
    }

    [OneTimeTearDown]
    public async Task StopServerAsync()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        Channel?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    [SetUp]
    public void ResetServer() => Server.Reset();

    /// <summary>A client on the fixture's channel with fast backoff; <paramref name="configure"/> adjusts the options.</summary>
    protected ByteStreamClient CreateClient(Action<ByteStreamClientOptions>? configure = null)
    {
        var options = new ByteStreamClientOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(1),
            MaxBackoff = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return new ByteStreamClient(Channel, options);
    }

    /// <summary>A client on a channel of its own, for tests that must not share connections.</summary>
    protected ByteStreamClient CreateClientOnNewChannel(Action<ByteStreamClientOptions>? configure = null)
    {
        var channel = Server.CreateChannel();
        _channels.Add(channel);
        var options = new ByteStreamClientOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(1),
            MaxBackoff = TimeSpan.FromMilliseconds(10),
        };
        configure?.Invoke(options);
        return new ByteStreamClient(channel, options);
    }

    /// <summary>The stored bytes of a complete resource; fails the test when there is none.</summary>
    protected byte[] StoredResource(string resourceName)
    {
        Assert.That(Server.TryGetResource(resourceName, out var data), Is.True, $"'{resourceName}' is not a complete resource on the server");
        return data;
    }
}
