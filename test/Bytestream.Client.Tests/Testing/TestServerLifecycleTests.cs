using System.Collections.Concurrent;
using Bytestream.Testing;
using Google.ByteStream;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>Starting and stopping the test server, its options, channels and resource accessors.</summary>
public class TestServerLifecycleTests
{
    [Test]
    public async Task StartAsync_TwoServers_ListenOnLoopbackOnDifferentFreePorts()
    {
        await using var first = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        await using var second = await ByteStreamTestServer.StartAsync().DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(first.Address.Scheme, Is.EqualTo("http"));
            Assert.That(first.Address.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(first.Address.Port, Is.GreaterThan(0));
            Assert.That(second.Address.Port, Is.Not.EqualTo(first.Address.Port));
        });
    }

    [Test]
    public async Task CreateChannel_CallerOptions_AreUsed()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        var data = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(data);
        server.SetResource("blobs/with-options", data);
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });
        using var call = new Stub(channel).Read(new ReadRequest { ResourceName = "blobs/with-options" });

        var exception = Assert.ThrowsAsync<Grpc.Core.RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout());

        Assert.That(exception!.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.ResourceExhausted), "the channel's own 1 KiB receive limit applied");
    }

    [Test]
    public async Task DisposeAsync_Twice_DoesNothingTheSecondTime()
    {
        var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();

        await server.DisposeAsync().DefaultTimeout();

        Assert.DoesNotThrowAsync(async () => await server.DisposeAsync().DefaultTimeout());
    }

    [Test]
    public void StartAsync_NullOptions_Throws()
    {
        Assert.ThrowsAsync<ArgumentNullException>(() => ByteStreamTestServer.StartAsync(null!));
    }

    [Test]
    public void Options_OutOfRange_Throw()
    {
        var options = new ByteStreamTestServerOptions();

        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => options.ReadChunkSize = 0);
            Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxReceiveMessageSize = 0);
            Assert.That(options.ReadChunkSize, Is.EqualTo(1024 * 1024));
            Assert.That(options.MaxReceiveMessageSize, Is.EqualTo(4 * 1024 * 1024));
            Assert.That(options.ExistingResourceBehavior, Is.EqualTo(ExistingResourceBehavior.Overwrite));
            Assert.That(options.MapUploadNamesToBlobs, Is.True);
        });
    }

    [Test]
    public async Task StartAsync_OptionsChangedAfterStart_DoNotAffectTheServer()
    {
        var options = new ByteStreamTestServerOptions { ReadChunkSize = 100 };
        await using var server = await ByteStreamTestServer.StartAsync(options).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("blobs/copied-options", new byte[250]);
        options.ReadChunkSize = 10;

        using var call = new Stub(channel).Read(new ReadRequest { ResourceName = "blobs/copied-options" });
        Assert.That(await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout(), Is.True);

        Assert.That(call.ResponseStream.Current.Data.Length, Is.EqualTo(100));
    }

    [Test]
    public async Task SetResourceAndTryGetResource_CallerBuffers_AreCopiedBothWays()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        var source = new byte[] { 1, 2, 3 };

        server.SetResource("blobs/copy", source);
        source[0] = 9;
        server.TryGetResource("blobs/copy", out var first);
        first[1] = 9;
        var found = server.TryGetResource("blobs/copy", out var second);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.True);
            Assert.That(second, Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(server.TryGetResource("blobs/none", out var none), Is.False);
            Assert.That(none, Is.Empty);
            Assert.Throws<ArgumentException>(() => server.SetResource(string.Empty, source));
        });
    }

    [Test]
    public async Task StartAsync_WithLoggerFactory_LogsThroughIt()
    {
        var provider = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(builder => builder.AddProvider(provider).SetMinimumLevel(LogLevel.Debug));
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { LoggerFactory = loggerFactory }).DefaultTimeout();
        using var channel = server.CreateChannel();

        await new Stub(channel).QueryWriteStatusAsync(new QueryWriteStatusRequest { ResourceName = "blobs/x" }).ResponseHeadersAsync.DefaultTimeout();

        Assert.That(provider.Categories, Has.Some.StartsWith("Grpc.AspNetCore").Or.Some.StartsWith("Microsoft.AspNetCore"));
    }

    private sealed class RecordingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentDictionary<string, int> _written = new();

        public IEnumerable<string> Categories => _written.Keys;

        public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, _written);

        public void Dispose()
        {
        }

        private sealed class RecordingLogger(string category, ConcurrentDictionary<string, int> written) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                written.AddOrUpdate(category, 1, static (_, count) => count + 1);
        }
    }
}
