using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Net.Client;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// A server that shuts down gracefully sends GOAWAY and, once its grace period runs out, ends the calls still running
/// (<see cref="ByteStreamFaults.GoAwayWrite"/>, <see cref="ByteStreamFaults.GoAwayRead"/>): the transfer goes on over a new
/// connection, with nothing lost or sent twice.
/// </summary>
[Category("Connections")]
public class GoAwayTests : ServerTestBase
{
    private const int Size = 16 * 1024 * 1024;
    private const int Mark = 5 * 1024 * 1024;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public void CreateChannel() => _channel = ByteStreamChannel.ForAddress(Server.Address);

    [OneTimeTearDown]
    public void DisposeChannel() => _channel.Dispose();

    [Test]
    public async Task Upload_ServerDrainsItsConnectionMidWrite_ContinuesOnANewConnectionWithEveryByteOnce([Values] Source source)
    {
        var client = new ByteStreamClient(_channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = TestData.Random(Size);
        Server.Faults.GoAwayWrite(Mark);

        var result = await UploadAsync(client, source, "drain/upload", data).DefaultTimeout();

        var writes = Server.Calls.Where(c => c.Method == ByteStreamMethod.Write).ToList();
        var resumedAt = Server.WriteRequests.First(r => r.CallId == writes[1].CallId).WriteOffset;
        var sentAfterResume = Server.WriteRequests.Where(r => r.CallId == writes[1].CallId).Sum(r => (long)r.DataLength);
        Assert.Multiple(() =>
        {
            Assert.That(writes, Has.Count.EqualTo(2));
            Assert.That(writes[1].ConnectionId, Is.Not.EqualTo(writes[0].ConnectionId), "the resumed Write came on a new connection");
            Assert.That(resumedAt, Is.EqualTo(Mark), "resumed exactly where the drained call's bytes ended");
            Assert.That(resumedAt + sentAfterResume, Is.EqualTo(Size), "no byte sent twice after the resume");
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(TestData.Sha256(StoredResource("drain/upload")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task Download_ServerDrainsItsConnectionMidRead_ContinuesOnANewConnectionWithEveryByteOnce()
    {
        var client = new ByteStreamClient(_channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = TestData.Random(Size);
        Server.SetResource("drain/download", data);
        Server.Faults.GoAwayRead(Mark);

        var destination = new MemoryStream();
        var count = await client.DownloadAsync("drain/download", destination).DefaultTimeout();

        var reads = Server.Calls.Where(c => c.Method == ByteStreamMethod.Read).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(reads, Has.Count.EqualTo(2));
            Assert.That(reads[1].ConnectionId, Is.Not.EqualTo(reads[0].ConnectionId), "the resumed Read came on a new connection");
            Assert.That(count, Is.EqualTo(Size));
            Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        });
    }
}
