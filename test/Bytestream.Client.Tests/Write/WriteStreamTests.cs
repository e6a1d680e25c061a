using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Write;

/// <summary>The write stream's own contract: chunking, flush, completion, disposal and abort.</summary>
public class WriteStreamTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    [Test]
    public async Task OpenWrite_BeforeTheFirstWrite_MakesNoCall()
    {
        var client = CreateClient();

        var stream = client.OpenWrite("blobs/lazy");

        Assert.Multiple(() =>
        {
            Assert.That(CallsStarted, Is.Zero);
            Assert.That(stream.ResourceName, Is.EqualTo("blobs/lazy"));
            Assert.That(stream.Position, Is.Zero);
        });
        stream.Abort();
        await stream.DisposeAsync();
    }

    [Test]
    public async Task WriteAsync_FullChunksGoOutAsTheyFill_FlushSendsThePartialOne()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        await using var stream = client.OpenWrite("blobs/chunks");

        await stream.WriteAsync(TestData.Random((2 * Chunk) + 10)).AsTask().DefaultTimeout();
        await WaitForRequestsAsync(2);
        var beforeFlush = Server.WriteRequests.Select(r => r.DataLength).ToArray();
        await stream.FlushAsync().DefaultTimeout();
        await WaitForRequestsAsync(3);

        Assert.Multiple(() =>
        {
            Assert.That(beforeFlush, Is.EqualTo(new[] { Chunk, Chunk }));
            Assert.That(Server.WriteRequests.Select(r => r.DataLength), Is.EqualTo(new[] { Chunk, Chunk, 10 }));
            Assert.That(stream.Position, Is.EqualTo((2 * Chunk) + 10));
        });
        await stream.CompleteAsync().DefaultTimeout();
    }

    [Test]
    public async Task CompleteAsync_ChecksTheCommittedSizeAndReturnsTheSameResultTwice()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random((3 * Chunk) + 1);
        await using var stream = client.OpenWrite("blobs/complete-twice");
        await stream.WriteAsync(data).AsTask().DefaultTimeout();

        var first = await stream.CompleteAsync().DefaultTimeout();
        var second = await stream.CompleteAsync().DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.SameAs(second));
            Assert.That(first.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(stream.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(stream.CanWrite, Is.False);
            Assert.That(StoredResource("blobs/complete-twice"), Is.EqualTo(data));
            Assert.That(Server.WriteRequests.Count(r => r.FinishWrite), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task DisposeAsync_WithoutComplete_CompletesTheUpload()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(Chunk + 5);

        await using (var stream = client.OpenWrite("blobs/disposed"))
        {
            await stream.WriteAsync(data).AsTask().DefaultTimeout();
        }

        Assert.That(StoredResource("blobs/disposed"), Is.EqualTo(data));
    }

    [Test]
    public void Dispose_Synchronous_CompletesTheUpload()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(Chunk + 5);

        using (var stream = client.OpenWrite("blobs/sync-disposed"))
        {
            stream.Write(data, 0, data.Length);
        }

        Assert.That(StoredResource("blobs/sync-disposed"), Is.EqualTo(data));
    }

    [Test]
    public async Task DisposeAsync_ExpectedLengthNotReached_ThrowsWithoutFinishWrite()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var stream = client.OpenWrite("blobs/unfinished", new UploadOptions { ExpectedLength = 3 * Chunk });
        await stream.WriteAsync(TestData.Random(2 * Chunk)).AsTask().DefaultTimeout();

        var error = Assert.ThrowsAsync<ByteStreamException>(async () => await stream.DisposeAsync());

        Assert.Multiple(() =>
        {
            Assert.That(error!.ResourceName, Is.EqualTo("blobs/unfinished"));
            Assert.That(Server.WriteRequests.Any(r => r.FinishWrite), Is.False);
            Assert.That(Server.TryGetResource("blobs/unfinished", out _), Is.False);
        });
    }

    [Test]
    public async Task DisposeAsync_AfterAFailedCompletion_ThrowsByteStreamExceptionWithoutFinishWrite()
    {
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.MaxRetryAttempts = 0; });
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.PermissionDenied);
        var stream = client.OpenWrite("blobs/failed");
        await stream.WriteAsync(TestData.Random(2 * Chunk)).AsTask().DefaultTimeout();

        var writeError = Assert.ThrowsAsync<RpcException>(() => stream.CompleteAsync().DefaultTimeout());
        var disposeError = Assert.ThrowsAsync<ByteStreamException>(async () => await stream.DisposeAsync());

        Assert.Multiple(() =>
        {
            Assert.That(writeError!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(disposeError!.InnerException, Is.SameAs(writeError));
            Assert.That(Server.WriteRequests.Any(r => r.FinishWrite), Is.False);
        });
    }

    [Test]
    public async Task WriteAsync_AfterAFailedCompletion_ThrowsInvalidOperationException()
    {
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.MaxRetryAttempts = 0; });
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.PermissionDenied);
        var stream = client.OpenWrite("blobs/failed-twice");
        await stream.WriteAsync(TestData.Random(2 * Chunk)).AsTask().DefaultTimeout();
        Assert.ThrowsAsync<RpcException>(() => stream.CompleteAsync().DefaultTimeout());

        Assert.ThrowsAsync<InvalidOperationException>(async () => await stream.WriteAsync(new byte[1]).AsTask().DefaultTimeout());
        stream.Abort();
        await stream.DisposeAsync();
    }

    [Test]
    public async Task Abort_EndsWithoutFinishWriteAndALaterUploadResumesFromTheCommittedSize()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(6 * Chunk);
        var stream = client.OpenWrite("blobs/aborted");
        await stream.WriteAsync(data.AsMemory(0, 4 * Chunk)).AsTask().DefaultTimeout();
        await WaitForRequestsAsync(4);

        stream.Abort();
        await stream.DisposeAsync();
        var result = await client.UploadAsync("blobs/aborted", data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(stream.CanWrite, Is.False);
            Assert.That(Server.WriteRequests.Count(r => r.FinishWrite), Is.EqualTo(1));
            Assert.That(result.BytesSent, Is.EqualTo(2 * Chunk));
            Assert.That(TestData.Sha256(StoredResource("blobs/aborted")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task WriteAsync_MoreThanTheExpectedLength_ThrowsByteStreamException()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var stream = client.OpenWrite("blobs/too-long", new UploadOptions { ExpectedLength = 10 });

        Assert.ThrowsAsync<ByteStreamException>(async () => await stream.WriteAsync(new byte[11]).AsTask().DefaultTimeout());
        Assert.That(CallsStarted, Is.Zero);
        stream.Abort();
        await stream.DisposeAsync();
    }

    [Test]
    public async Task CopyToAsync_FromAFile_UploadsItThroughCutsAndTheReplayBuffer()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(20 * Chunk);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, data);
            Server.Faults.CutWrite(afterBytes: 7 * Chunk, times: 2);

            await using (var file = File.OpenRead(path))
            await using (var remote = client.OpenWrite("blobs/copied"))
            {
                await file.CopyToAsync(remote).DefaultTimeout();
                var result = await remote.CompleteAsync().DefaultTimeout();
                Assert.That(result.Resumes, Is.EqualTo(2));
            }

            Assert.That(TestData.Sha256(StoredResource("blobs/copied")), Is.EqualTo(TestData.Sha256(data)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task OpenWrite_ResumeExistingUpload_SkipsTheCommittedPrefixOfWhatIsWrittenAgain()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(5 * Chunk);
        var first = client.OpenWrite("blobs/stream-resume");
        await first.WriteAsync(data.AsMemory(0, 2 * Chunk)).AsTask().DefaultTimeout();
        await WaitForRequestsAsync(2);
        first.Abort();

        await using var second = client.OpenWrite("blobs/stream-resume", new UploadOptions { ResumeExistingUpload = true });
        await second.WriteAsync(data).AsTask().DefaultTimeout();
        var result = await second.CompleteAsync().DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(result.BytesSent, Is.EqualTo(3 * Chunk));
            Assert.That(second.Position, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(StoredResource("blobs/stream-resume")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    private Task WaitForRequestsAsync(int count) =>
        Eventually.UntilAsync(() => Server.WriteRequests.Count >= count, $"the server to receive {count} WriteRequests");
}
