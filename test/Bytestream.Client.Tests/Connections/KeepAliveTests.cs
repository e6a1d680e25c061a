using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Client.Tests.Reliability;
using Grpc.Net.Client;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// A connection that goes silent mid-transfer (a NAT or load balancer forgot it: packets vanish, nothing is reset) is
/// found dead by the keepalive pings of <see cref="ByteStreamChannel"/>, and the transfer resumes on a new connection.
/// The stall timeout is off here, so only the pings can notice; they run 1 s apart instead of 30 s to keep the test short.
/// </summary>
[Category("Connections")]
public class KeepAliveTests : ServerTestBase
{
    private const int Size = 24 * 1024 * 1024;
    private static readonly TimeSpan Ping = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Upload_ConnectionGoesSilent_PingTimesOutAndTheUploadResumesOnANewConnection([Values(Source.NonSeekableStream, Source.WriteStream)] Source source)
    {
        await using var proxy = new DroppingTcpProxy(Server.Address);
        using var channel = CreateChannel(proxy.Address, keepAlive: true);
        var client = CreateClient(channel);
        var data = TestData.Random(Size);
        proxy.SilenceOnceAfter(4 * 1024 * 1024);

        var result = await UploadAsync(client, source, "silent/upload", data).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Dropped, Is.EqualTo(1));
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(TestData.Sha256(StoredResource("silent/upload")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(Server.Calls.Select(c => c.ConnectionId).Distinct().Count(), Is.EqualTo(2), "the resumed calls came on a second connection");
        });
    }

    [Test]
    public async Task Download_ConnectionGoesSilent_PingTimesOutAndTheDownloadResumesOnANewConnection()
    {
        await using var proxy = new DroppingTcpProxy(Server.Address);
        using var channel = CreateChannel(proxy.Address, keepAlive: true);
        var client = CreateClient(channel);
        var data = TestData.Random(Size);
        Server.SetResource("silent/download", data);
        proxy.SilenceOnceAfter(4 * 1024 * 1024, fromServer: true);

        var destination = new MemoryStream();
        var count = await client.DownloadAsync("silent/download", destination).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Dropped, Is.EqualTo(1));
            Assert.That(count, Is.EqualTo(Size));
            Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(Server.Calls.Select(c => c.ConnectionId).Distinct().Count(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Download_ConnectionGoesSilentWithoutPings_NothingNoticesIt()
    {
        // The control: the same silence without keepalive pings (and without a stall timeout) hangs, so it is the
        // pings that rescue the tests above.
        await using var proxy = new DroppingTcpProxy(Server.Address);
        using var channel = CreateChannel(proxy.Address, keepAlive: false);
        var client = CreateClient(channel);
        Server.SetResource("silent/unnoticed", TestData.Random(Size));
        proxy.SilenceOnceAfter(4 * 1024 * 1024, fromServer: true);
        using var cancel = new CancellationTokenSource();

        var download = client.DownloadAsync("silent/unnoticed", Stream.Null, cancellationToken: cancel.Token);
        await Eventually.UntilAsync(() => proxy.Dropped == 1, "the connection went silent");
        // The caller gives up after five times what the pings need to notice the silence. Had anything noticed it,
        // the download would have failed (or resumed and finished) before that, not been cancelled.
        cancel.CancelAfter(5 * (Ping + Ping));

        Assert.That(async () => await download.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>(), "nothing ended the download but its caller");
    }

    private static GrpcChannel CreateChannel(Uri address, bool keepAlive) => ByteStreamChannel.ForAddress(address, options =>
    {
        var handler = (SocketsHttpHandler)options.HttpHandler!;
        handler.KeepAlivePingDelay = keepAlive ? Ping : Timeout.InfiniteTimeSpan;
        handler.KeepAlivePingTimeout = Ping;
    });

    private static ByteStreamClient CreateClient(GrpcChannel channel) =>
        new(channel, new ByteStreamClientOptions { StallTimeout = null, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
}
