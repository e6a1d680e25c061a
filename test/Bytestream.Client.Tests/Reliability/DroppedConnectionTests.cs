using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// The TCP connection dies mid-transfer (a <see cref="DroppingTcpProxy"/> resets it): the client opens a new
/// one and finishes with identical bytes, and never lets a transport exception reach the caller.
/// </summary>
[Category("Reliability")]
public class DroppedConnectionTests : ServerTestBase
{
    private const int Size = 24 * 1024 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Upload_ConnectionResetWhileTheClientSends_ResumesOnANewConnectionWithIdenticalBytes([Values] bool writeStream)
    {
        await using var proxy = new DroppingTcpProxy(Server.Address);
        using var channel = GrpcChannel.ForAddress(proxy.Address);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = TestData.Random(Size);
        proxy.DropOnceAfter(4 * 1024 * 1024);

        UploadResult result;
        if (writeStream)
        {
            await using var stream = client.OpenWrite("drop/upload");
            await stream.WriteAsync(data).AsTask().WaitAsync(Bound);
            result = await stream.CompleteAsync().WaitAsync(Bound);
        }
        else
        {
            result = await client.UploadAsync("drop/upload", new ForwardOnlyReadStream(data)).WaitAsync(Bound);
        }

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Dropped, Is.EqualTo(1));
            Assert.That(TestData.Sha256(StoredResource("drop/upload")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Download_ConnectionResetMidRead_ResumesOnANewConnectionWithIdenticalBytes()
    {
        await using var proxy = new DroppingTcpProxy(Server.Address);
        using var channel = GrpcChannel.ForAddress(proxy.Address);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = TestData.Random(Size);
        Server.SetResource("drop/download", data);

        proxy.DropOnceAfter(4 * 1024 * 1024, fromServer: true);
        var destination = new MemoryStream();
        var count = await client.DownloadAsync("drop/download", destination).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(proxy.Dropped, Is.EqualTo(1));
            Assert.That(count, Is.EqualTo(Size));
            Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        });
    }
}
