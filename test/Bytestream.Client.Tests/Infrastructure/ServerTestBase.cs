using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests;

/// <summary>
/// A fixture with one in-process test server for all its tests (reset before each test), and
/// clients whose retries do not wait unless a test sets a backoff.
/// </summary>
public abstract class ServerTestBase
{
    private readonly List<GrpcChannel> _channels = [];
    private readonly CallCounter _counter = new();

    protected ByteStreamTestServer Server { get; private set; } = null!;

    /// <summary>A channel to the server that tests may share.</summary>
    protected GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The server's options; <see langword="null"/> for the defaults.</summary>
    protected virtual ByteStreamTestServerOptions? ServerOptions => null;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        Server = ServerOptions is { } options
            ? await ByteStreamTestServer.StartAsync(options).DefaultTimeout()
            : await ByteStreamTestServer.StartAsync().DefaultTimeout();
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
            await Server.DisposeAsync().DefaultTimeout();
        }
    }

    /// <summary>The calls that clients from <see cref="CreateClient(Action{ByteStreamClientOptions}?)"/> started in this test.</summary>
    protected int CallsStarted => _counter.Calls;

    [SetUp]
    public void ResetServer()
    {
        Server.Reset();
        _counter.Reset();
    }

    /// <summary>A client on the shared channel; <paramref name="configure"/> adjusts the options.</summary>
    protected ByteStreamClient CreateClient(Action<ByteStreamClientOptions>? configure = null) =>
        new(Channel.Intercept(_counter), CreateOptions(configure));

    /// <summary>A client on a channel of its own whose ReadRequests <paramref name="recorder"/> keeps.</summary>
    private protected ByteStreamClient CreateClient(out ReadRequestRecorder recorder, Action<ByteStreamClientOptions>? configure = null)
    {
        var channel = Server.CreateChannel();
        _channels.Add(channel);
        recorder = new ReadRequestRecorder();
        return new ByteStreamClient(channel.Intercept(recorder).Intercept(_counter), CreateOptions(configure));
    }

    /// <summary>The stored bytes of a complete resource; fails the test when there is none.</summary>
    protected byte[] StoredResource(string resourceName)
    {
        Assert.That(Server.TryGetResource(resourceName, out var data), Is.True, $"'{resourceName}' is not a complete resource on the server");
        return data;
    }

    private static ByteStreamClientOptions CreateOptions(Action<ByteStreamClientOptions>? configure)
    {
        var options = new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero };
        configure?.Invoke(options);
        return options;
    }
}
