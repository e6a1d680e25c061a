using Bytestream.Client.Tests.Interop;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// The one server profile the Go interop tests did not cover, against Google's own server (shared/peers/go):
/// for a <c>read_limit</c> above 0 it sends the whole range in one message, so past 4 MiB the message is over
/// gRPC's default receive limit (<see cref="Testing.ByteStreamServerProfile.OversizedReadMessages"/>).
/// Skipped when the peer is not installed.
/// </summary>
[Category("Reliability")]
public class GoPeerOversizedReadTests
{
    private const int Size = 6 * 1024 * 1024;
    private const int Limit = 5 * 1024 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private GoPeerServer _server = null!;
    private byte[] _data = [];
    private string _name = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        var peerDir = GoPeerServer.LocateOrIgnore();

        _server = await GoPeerServer.StartAsync(peerDir, ["-v"]).DefaultTimeout();
        _data = TestData.Random(Size, seed: 55);
        _name = $"oversized/{Guid.NewGuid():N}";
        using var channel = _server.CreateChannel();
        await new ByteStreamClient(channel).UploadAsync(_name, _data).WaitAsync(Bound);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Test]
    public void DownloadAsync_LimitAboveTheDefaultReceiveLimit_ThrowsResourceExhaustedAfterTheRetries()
    {
        using var channel = _server.CreateChannel();
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { MaxRetryAttempts = 1, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var destination = new MemoryStream();

        var error = Assert.ThrowsAsync<RpcException>(() => client.DownloadAsync(_name, destination, new DownloadOptions { Limit = Limit }).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(error.Status.Detail, Does.Contain("exceeds the maximum"));
            Assert.That(destination.Length, Is.Zero);
        });
    }

    [Test]
    public async Task DownloadAsync_LimitAboveTheDefaultReceiveLimitWithTheChannelLimitRaised_ReturnsThatRange()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 8 * 1024 * 1024 });
        var destination = new MemoryStream();

        var count = await new ByteStreamClient(channel).DownloadAsync(_name, destination, new DownloadOptions { Offset = 100, Limit = Limit }).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(Limit));
            Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(_data.AsSpan(100, Limit))));
        });
    }

    [Test]
    public async Task DownloadAsync_NoLimit_ReturnsEveryByteInMessagesUnderTheLimit()
    {
        using var channel = _server.CreateChannel();
        var destination = new MemoryStream();

        var count = await new ByteStreamClient(channel).DownloadAsync(_name, destination).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(Size));
            Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(_data)));
        });
    }
}
