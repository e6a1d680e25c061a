using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Write;

/// <summary>
/// What FlushAsync promises (sent, not committed) and WaitForCommitAsync, which waits until the server says it
/// committed what was written: after FlushAsync then Abort, only part of the flushed bytes were on the server.
/// </summary>
public class WriteStreamCommitTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;
    private const int Written = (3 * Chunk) + 1000;

    [Test]
    public async Task FlushThenAbort_ServerThatLagsKeepsFewerThanWereFlushed()
    {
        // FlushAsync says the bytes were sent; a server that commits behind what it received keeps fewer.
        Server.Faults.CommitLag = Chunk;
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var stream = client.OpenWrite("commit/flush-only");
        await stream.WriteAsync(TestData.Random(Written)).AsTask().DefaultTimeout();
        await stream.FlushAsync().DefaultTimeout();

        stream.Abort();
        await stream.DisposeAsync();

        await Eventually.UntilAsync(() => Server.Calls.All(c => c.Status is not null), "the aborted Write call to end at the server");
        // The server may even know nothing of the upload: the aborted call's bytes never reached the handler.
        var held = Server.TryGetWriteStatus("commit/flush-only", out var committed, out _) ? committed : 0;
        Assert.That(held, Is.LessThan(Written));
    }

    [Test]
    public async Task WaitForCommitAsync_ThenAbort_ServerHoldsEveryByteWrittenAndTheUploadResumesAfterThem()
    {
        // The first answers lag behind; the wait asks again until the server reports everything.
        var asked = 0;
        Server.Faults.QueryWriteStatusOverride = (size, complete) => Interlocked.Increment(ref asked) <= 3 ? (size / 2, complete) : (size, complete);
        var data = TestData.Random(Written + 5000);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var stream = client.OpenWrite("commit/waited");
        await stream.WriteAsync(data.AsMemory(0, Written)).AsTask().DefaultTimeout();

        var committed = await stream.WaitForCommitAsync().DefaultTimeout();
        stream.Abort();
        await stream.DisposeAsync();
        Server.Faults.QueryWriteStatusOverride = null;
        Assert.That(Server.TryGetWriteStatus("commit/waited", out var held, out _), Is.True);
        var resumed = await client.UploadAsync("commit/waited", data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(committed, Is.EqualTo(Written));
            Assert.That(stream.CommittedSize, Is.EqualTo(Written));
            Assert.That(asked, Is.GreaterThanOrEqualTo(4), "asked until the answer covered every byte");
            Assert.That(held, Is.EqualTo(Written), "the abort lost nothing that was waited for");
            Assert.That(resumed.BytesSent, Is.EqualTo(5000), "the resume sends only what was never written");
            Assert.That(TestData.Sha256(StoredResource("commit/waited")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task WaitForCommitAsync_CompressedName_ReturnsOnceTheCompressedBytesOfWhatWasWrittenAreCommitted()
    {
        // Whole chunks only, so no short chunk pushes the encoder: the wait's flush must. It compared the
        // server's compressed committed size with the uncompressed Position, and never returned.
        var data = TestData.Text(6 * Chunk);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        await using var stream = client.OpenWrite(TestData.ZstdUploadName(data));
        await stream.WriteAsync(data.AsMemory(0, 3 * Chunk)).AsTask().DefaultTimeout();

        var committed = await stream.WaitForCommitAsync().DefaultTimeout();
        var upToThere = TestData.Zstd(data.AsSpan(0, 3 * Chunk)).Length;
        await stream.WriteAsync(data.AsMemory(3 * Chunk)).AsTask().DefaultTimeout();
        var result = await stream.CompleteAsync().DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(committed, Is.GreaterThan(upToThere / 2), "the compressed bytes of half the data, not none");
            Assert.That(committed, Is.LessThan(3 * Chunk), "compressed bytes, not the uncompressed Position");
            Assert.That(committed, Is.LessThanOrEqualTo(result.CompressedSize!.Value));
            Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(data))), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task WaitForCommitAsync_ThenComplete_UploadsEveryByte()
    {
        var data = TestData.Random(Written);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        await using var stream = client.OpenWrite("commit/then-complete");
        await stream.WriteAsync(data.AsMemory(0, 1000)).AsTask().DefaultTimeout();
        Assert.That(await stream.WaitForCommitAsync().DefaultTimeout(), Is.EqualTo(1000));
        await stream.WriteAsync(data.AsMemory(1000)).AsTask().DefaultTimeout();

        var result = await stream.CompleteAsync().DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(Written));
        Assert.That(TestData.Sha256(StoredResource("commit/then-complete")), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task WaitForCommitAsync_NothingWritten_ReturnsZeroWithoutACall()
    {
        var client = CreateClient();
        var stream = client.OpenWrite("commit/nothing");

        Assert.That(await stream.WaitForCommitAsync().DefaultTimeout(), Is.Zero);
        Assert.That(CallsStarted, Is.Zero);
        stream.Abort();
        await stream.DisposeAsync();
    }

    [Test]
    public async Task WaitForCommitAsync_ServerWithoutQueryWriteStatus_ThrowsNotSupportedAndTheUploadGoesOn()
    {
        Server.Faults.QueryWriteStatusMode = QueryWriteStatusMode.Unimplemented;
        var data = TestData.Random(Written);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        await using var stream = client.OpenWrite("commit/unimplemented");
        await stream.WriteAsync(data).AsTask().DefaultTimeout();

        var error = Assert.ThrowsAsync<NotSupportedException>(() => stream.WaitForCommitAsync().DefaultTimeout());
        await stream.CompleteAsync().DefaultTimeout();

        Assert.That(error!.Message, Does.Contain("UNIMPLEMENTED"));
        Assert.That(TestData.Sha256(StoredResource("commit/unimplemented")), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task WaitForCommitAsync_ServerClaimsMoreThanWritten_ThrowsByteStreamException()
    {
        Server.Faults.QueryWriteStatusOverride = (size, complete) => (size + Written, complete);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var stream = client.OpenWrite("commit/too-much");
        await stream.WriteAsync(TestData.Random(Written)).AsTask().DefaultTimeout();

        var error = Assert.ThrowsAsync<ByteStreamException>(() => stream.WaitForCommitAsync().DefaultTimeout());

        Assert.That(error!.Message, Does.Contain("broke the protocol").And.Contain($"only {Written} bytes were sent"));
        stream.Abort();
        await stream.DisposeAsync();
    }

    [Test]
    public async Task WaitForCommitAsync_Cancelled_CancelsOnlyTheWait()
    {
        // A server that reports nothing committed before finish_write: the caller's token ends the wait.
        Server.Faults.QueryWriteStatusOverride = (_, complete) => (0, complete);
        var data = TestData.Random(Written);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        await using var stream = client.OpenWrite("commit/cancelled");
        await stream.WriteAsync(data).AsTask().DefaultTimeout();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await stream.WaitForCommitAsync(timeout.Token).DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        Server.Faults.QueryWriteStatusOverride = null;
        var result = await stream.CompleteAsync().DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(Written));
        Assert.That(TestData.Sha256(StoredResource("commit/cancelled")), Is.EqualTo(TestData.Sha256(data)));
    }
}
