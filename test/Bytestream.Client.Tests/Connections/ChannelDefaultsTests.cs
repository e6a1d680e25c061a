using System.Globalization;
using System.Text.RegularExpressions;
using Bytestream.Client.Internal;
using Bytestream.Client.Tests.Infrastructure;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// The defaults that keep long transfers alive: the handler and channel the library builds, the stall timeout,
/// and a retry budget that outlasts a server restart of about 10 s.
/// </summary>
[Category("Connections")]
public partial class ChannelDefaultsTests
{
    [Test]
    public void CreateHttpHandler_FillsLongLinksPingsIdleConnectionsAndBoundsConnecting()
    {
        using var handler = ByteStreamChannel.CreateHttpHandler();

        Assert.Multiple(() =>
        {
            Assert.That(handler.InitialHttp2StreamWindowSize, Is.EqualTo(16 * 1024 * 1024));
            Assert.That(handler.EnableMultipleHttp2Connections, Is.True);
            Assert.That(handler.KeepAlivePingDelay, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(handler.KeepAlivePingTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
            Assert.That(handler.KeepAlivePingPolicy, Is.EqualTo(HttpKeepAlivePingPolicy.Always));
            Assert.That(handler.ConnectTimeout, Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public void ForAddress_ConfigureSeesTheDefaultsAndMayChangeThem()
    {
        TimeSpan? maxReconnectBackoff = null;
        SocketsHttpHandler? handler = null;
        using var channel = ByteStreamChannel.ForAddress(new Uri("http://127.0.0.1:1"), options =>
        {
            maxReconnectBackoff = options.MaxReconnectBackoff;
            handler = options.HttpHandler as SocketsHttpHandler;
            handler!.KeepAlivePingDelay = TimeSpan.FromSeconds(5);
        });

        Assert.Multiple(() =>
        {
            Assert.That(maxReconnectBackoff, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(handler!.KeepAlivePingDelay, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(handler.InitialHttp2StreamWindowSize, Is.EqualTo(ByteStreamChannel.DefaultStreamWindowSize));
        });
    }

    [Test]
    public void ForAddress_ConfigureReplacesTheHandler_TheUnusedDefaultIsDisposed()
    {
        SocketsHttpHandler? unused = null;
        using var own = new SocketsHttpHandler();
        using var channel = ByteStreamChannel.ForAddress(new Uri("http://127.0.0.1:1"), options =>
        {
            unused = (SocketsHttpHandler)options.HttpHandler!;
            options.HttpHandler = own;
            options.DisposeHttpClient = false;
        });

        Assert.That(() => unused!.ConnectTimeout = TimeSpan.FromSeconds(1), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public async Task ForAddress_OfAString_ReachesTheServerWithTheDefaults()
    {
        await using var server = await Bytestream.Testing.ByteStreamTestServer.StartAsync();
        server.SetResource("blobs/text", TestData.Random(1000, seed: 22));
        SocketsHttpHandler? handler = null;
        using var channel = ByteStreamChannel.ForAddress(server.Address.ToString(), options => handler = options.HttpHandler as SocketsHttpHandler);
        var client = new ByteStreamClient(channel);

        var read = await client.ReadAllBytesAsync("blobs/text");

        Assert.That(read, Is.EqualTo(TestData.Random(1000, seed: 22)));
        Assert.That(handler!.InitialHttp2StreamWindowSize, Is.EqualTo(ByteStreamChannel.DefaultStreamWindowSize));
    }

    [TestCase("localhost:8980")]
    [TestCase("127.0.0.1")]
    [TestCase("ftp://127.0.0.1:8980")]
    [TestCase("")]
    public void ForAddress_OfAStringThatIsNotAnHttpUrl_ThrowsArgumentException(string address)
    {
        var thrown = Assert.Throws<ArgumentException>(() => ByteStreamChannel.ForAddress(address));

        Assert.That(thrown!.ParamName, Is.EqualTo("address"));
        Assert.That(thrown.Message, Does.Contain("http://"));
    }

    [Test]
    public void ForAddress_OfANullString_ThrowsArgumentNullException()
    {
        Assert.That(() => ByteStreamChannel.ForAddress((string)null!), Throws.ArgumentNullException);
    }

    [Test]
    public void AddByteStreamClient_PrimaryHandlerIsTheByteStreamHandler([Values] bool replacedByCaller)
    {
        var services = new ServiceCollection();
        var builder = services.AddByteStreamClient(o => o.Address = new Uri("http://127.0.0.1:1"));
        if (replacedByCaller)
        {
            builder.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { KeepAlivePingDelay = TimeSpan.FromSeconds(7) });
        }

        using var provider = services.BuildServiceProvider();
        using var chain = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(nameof(ByteStreamClient));
        HttpMessageHandler primary = chain;
        while (primary is DelegatingHandler delegating)
        {
            primary = delegating.InnerHandler!;
        }

        Assert.That(primary, Is.InstanceOf<SocketsHttpHandler>());
        Assert.That(((SocketsHttpHandler)primary).KeepAlivePingDelay, Is.EqualTo(replacedByCaller ? TimeSpan.FromSeconds(7) : ByteStreamChannel.DefaultKeepAlivePingDelay));
    }

    [Test]
    public void ClientOptions_Defaults_StallAfterAMinuteAndBackOffFromOneSecond()
    {
        var options = new ByteStreamClientOptions();

        Assert.Multiple(() =>
        {
            Assert.That(options.StallTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(options.MaxRetryAttempts, Is.EqualTo(5));
            Assert.That(options.InitialBackoff, Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(options.MaxBackoff, Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public async Task DefaultRetryPipeline_FiveRetries_SpanMoreThanTenSeconds()
    {
        // The delays are random (decorrelated jitter): sample the schedule many times; every one must outlast a
        // 10 s restart, and none may make a caller wait much longer than Bazel's retries would.
        var spans = new List<TimeSpan>();
        for (var run = 0; run < 20; run++)
        {
            spans.Add(await RetrySpanAsync());
        }

        Assert.Multiple(() =>
        {
            Assert.That(spans.Min(), Is.GreaterThan(TimeSpan.FromSeconds(11)), string.Join(", ", spans));
            Assert.That(spans.Max(), Is.LessThan(TimeSpan.FromSeconds(25)), string.Join(", ", spans));
        });
    }

    /// <summary>Runs the default pipeline on a fake clock over an operation that always fails UNAVAILABLE; returns the sum of its delays.</summary>
    private static async Task<TimeSpan> RetrySpanAsync()
    {
        var time = new FakeTimeProvider();
        using var logs = new RecordingLoggerProvider();
        var pipeline = RetryPipelineFactory.Create(new ByteStreamClientOptions { TimeProvider = time }, logs.CreateLogger("retries"));
        var run = pipeline.ExecuteAsync(static _ => ValueTask.FromException(new RpcException(new Status(StatusCode.Unavailable, "server down")))).AsTask();
        var total = TimeSpan.Zero;
        for (var retry = 1; retry <= 5; retry++)
        {
            await Eventually.UntilAsync(() => logs.Entries.Count == retry, $"retry {retry} scheduled");
            var delay = TimeSpan.Parse(DelayInMessage().Match(logs.Entries[^1].Message).Groups[1].Value, CultureInfo.InvariantCulture);
            total += delay;

            // Polly starts its timer just after it logs: advance until the next attempt has run.
            await Eventually.UntilAsync(
                () =>
                {
                    time.Advance(delay);
                    return logs.Entries.Count > retry || run.IsCompleted;
                },
                $"attempt {retry + 1} after {delay}");
        }

        var failure = Assert.ThrowsAsync<RpcException>(() => run.DefaultTimeout());
        Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(logs.Entries, Has.Count.EqualTo(5));
        return total;
    }

    [GeneratedRegex(@" in ([0-9:.]+)\.$")]
    private static partial Regex DelayInMessage();
}
