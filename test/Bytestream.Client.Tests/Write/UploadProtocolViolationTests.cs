using Bytestream.Testing;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Write;

/// <summary>Servers that break the protocol get a clear <see cref="ByteStreamException"/>, never a silently corrupt resource.</summary>
public class UploadProtocolViolationTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    [Test]
    public void UploadAsync_CommittedSizeBeyondWhatWasSent_ThrowsByteStreamException([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.CutWrite(afterBytes: Chunk);
        Server.Faults.QueryWriteStatusOverride = (committed, complete) => (committed + (100 * Chunk), complete);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => UploadAsync(client, source, "blobs/beyond", TestData.Random(4 * Chunk)).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.ResourceName, Is.EqualTo("blobs/beyond"));
            Assert.That(error.CommittedSize, Is.EqualTo(101 * Chunk));
            Assert.That(error.Message, Does.Contain("committed_size"));
            Assert.That(Server.TryGetResource("blobs/beyond", out _), Is.False);
        });
    }

    [Test]
    public void UploadAsync_CommittedSizeGoingBackwards_ThrowsByteStreamException()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var queries = 0;
        Server.Faults.CutWrite(afterBytes: 2 * Chunk, times: 2);
        Server.Faults.QueryWriteStatusOverride = (committed, complete) => (++queries == 1 ? committed : 1, complete);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => client.UploadAsync("blobs/backwards", TestData.Random(8 * Chunk)).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.CommittedSize, Is.EqualTo(1));
            Assert.That(error.Message, Does.Contain("backwards"));
        });
    }

    [Test]
    public void UploadAsync_FinalCommittedSizeNotTheLengthWritten_ThrowsByteStreamException([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.FinalCommittedSizeDelta = -1;

        var error = Assert.ThrowsAsync<ByteStreamException>(() => UploadAsync(client, source, "blobs/short", TestData.Random((2 * Chunk) + 1)).DefaultTimeout());

        Assert.That(error!.CommittedSize, Is.EqualTo(2 * Chunk));
    }

    [Test]
    public void UploadAsync_CompleteWithAnotherSizeOnResume_ThrowsByteStreamException()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.CutWrite(afterBytes: Chunk);
        Server.Faults.QueryWriteStatusOverride = (_, _) => (3, true);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => client.UploadAsync("blobs/complete-wrong", TestData.Random(4 * Chunk)).DefaultTimeout());

        Assert.That(error!.CommittedSize, Is.EqualTo(3));
    }

    [Test]
    public async Task UploadAsync_CompleteWithTheRightSizeOnResume_IsSuccess()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.CutWrite(afterBytes: Chunk);
        Server.Faults.QueryWriteStatusOverride = (_, _) => (4 * Chunk, true);

        var result = await client.UploadAsync("blobs/complete-right", TestData.Random(4 * Chunk)).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(4 * Chunk));
    }
}
