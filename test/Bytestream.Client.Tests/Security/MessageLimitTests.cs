using Bytestream.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Security;

/// <summary>
/// Message size limits hold in both directions: a message over the client's receive limit, or over the
/// client's or the server's limit on the way up, gives a clear RESOURCE_EXHAUSTED after the retries, in
/// bounded time, with nothing half-written or stored.
/// </summary>
[Category("Security")]
public class MessageLimitTests : ServerTestBase
{
    private const int Limit = 64 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    protected override ByteStreamTestServerOptions ServerOptions => new() { ReadChunkSize = 4 * Limit, MaxReceiveMessageSize = 2 * Limit };

    [Test]
    public async Task Read_ServerMessageOverTheChannelsReceiveLimit_ThrowsResourceExhaustedAndWritesNothing([Values("DownloadAsync", "OpenRead", "ReadAllBytes")] string path)
    {
        using var channel = Server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = Limit });
        var client = Client(channel);
        Server.SetResource("limit/read", TestData.Random(10 * Limit));
        var destination = new MemoryStream();

        var error = Assert.ThrowsAsync<RpcException>(async () =>
        {
            switch (path)
            {
                case "DownloadAsync":
                    await client.DownloadAsync("limit/read", destination).WaitAsync(Bound);
                    break;
                case "OpenRead":
                    await using (var read = client.OpenRead("limit/read"))
                    {
                        await read.CopyToAsync(destination).WaitAsync(Bound);
                    }

                    break;
                default:
                    await client.ReadAllBytesAsync("limit/read").WaitAsync(Bound);
                    break;
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(error.Status.Detail, Does.Contain("exceeds the maximum"));
            Assert.That(destination.Length, Is.Zero);
            Assert.That(Server.Calls, Has.Count.EqualTo(3), "the first call and MaxRetryAttempts retries");
        });
    }

    [Test]
    public async Task Read_ChannelLimitAboveTheServersMessages_ReturnsIdenticalBytes()
    {
        using var channel = Server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 8 * Limit });
        var data = TestData.Random(10 * Limit);
        Server.SetResource("limit/fits", data);

        var bytes = await Client(channel).ReadAllBytesAsync("limit/fits").WaitAsync(Bound);

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public void Upload_ChunkOverTheChannelsSendLimit_ThrowsResourceExhaustedAndStoresNothing()
    {
        using var channel = Server.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = Limit });

        var error = Assert.ThrowsAsync<RpcException>(() => Client(channel, chunkSize: 2 * Limit).UploadAsync("limit/send", TestData.Random(6 * Limit)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(error.Status.Detail, Does.Contain("exceeds the maximum"));
            Assert.That(Server.TryGetResource("limit/send", out _), Is.False);
        });
    }

    [Test]
    public void Upload_ChunkOverTheServersReceiveLimit_ThrowsTheServersResourceExhaustedAndStoresNothing()
    {
        var error = Assert.ThrowsAsync<RpcException>(() => Client(Channel, chunkSize: 4 * Limit).UploadAsync("limit/server", TestData.Random(6 * Limit)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.ResourceExhausted));
            Assert.That(Server.TryGetResource("limit/server", out _), Is.False);
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Write), Is.EqualTo(3), "the first call and MaxRetryAttempts retries");
        });
    }

    private static ByteStreamClient Client(GrpcChannel channel, int chunkSize = Limit / 2) =>
        new(channel, new ByteStreamClientOptions { ChunkSize = chunkSize, MaxRetryAttempts = 2, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
}
