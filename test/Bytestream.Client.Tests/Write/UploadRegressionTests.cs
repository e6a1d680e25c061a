using Bytestream.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Polly;
using Polly.Retry;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Write;

/// <summary>Upload bugs a new user hit (issue 9), each against the real test server.</summary>
public class UploadRegressionTests : ServerTestBase
{
    private const int MiB = 1024 * 1024;
    private const int Chunk = 64 * 1024;

    [Test]
    public async Task OpenWrite_ResumeExistingUpload_WritingLessThanTheServerCommitted_FinishesNothing([Values(0, MiB)] int written)
    {
        const string name = "blobs/truncated";
        var data = TestData.Random(8 * MiB);
        await LeavePartialUploadAsync(name, data.AsMemory(0, 4 * MiB));
        var client = CreateClient();

        var stream = client.OpenWrite(name, new UploadOptions { ResumeExistingUpload = true });
        await stream.WriteAsync(data.AsMemory(0, written)).AsTask().DefaultTimeout();
        var error = Assert.ThrowsAsync<ByteStreamException>(() => stream.CompleteAsync().DefaultTimeout());
        stream.Abort();

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"the source holds only {written}. Is it the same data?"));
            Assert.That(error.CommittedSize, Is.EqualTo(4 * MiB));
            Assert.That(Server.TryGetWriteStatus(name, out var committed, out var complete), Is.True, "the server knows the upload");
            Assert.That(complete, Is.False, "nothing was finished");
            Assert.That(committed, Is.EqualTo(4 * MiB), "nothing was added");
        });
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUpload_ShorterSource_BlamesTheSourceNotTheServer([Values(Source.Memory, Source.SeekableStream)] Source source)
    {
        const string name = "blobs/shorter-source";
        await LeavePartialUploadAsync(name, TestData.Random(2 * MiB));
        var client = CreateClient();

        var error = Assert.ThrowsAsync<ByteStreamException>(() => UploadAsync(client, source, name, TestData.Random(MiB), new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain($"the source holds only {MiB}. Is it the same data?"));
    }

    [Test]
    public async Task OpenWrite_ManySmallWritesEachFlushed_HoldsMemoryBoundedByTheReplayBuffer()
    {
        var client = CreateClient();
        var piece = TestData.Random(100);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        await using (var stream = client.OpenWrite("blobs/flushes"))
        {
            for (var i = 0; i < 2000; i++)
            {
                await stream.WriteAsync(piece).AsTask().DefaultTimeout();
                await stream.FlushAsync().DefaultTimeout();
            }
        }

        // Each flush used to keep a whole pooled chunk (1 MiB): about 2 GiB for 200 KB of data.
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Multiple(() =>
        {
            Assert.That(allocated, Is.LessThan(256L * MiB), "bytes allocated by client and server together");
            Assert.That(TestData.Sha256(StoredResource("blobs/flushes")), Is.EqualTo(TestData.Sha256(Enumerable.Repeat(piece, 2000).SelectMany(p => p).ToArray())));
        });
    }

    [Test]
    public async Task DisposeAsync_AfterAFailedWrite_KeepsTheServersErrorAsTheInnerException()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.PermissionDenied);
        var stream = client.OpenWrite("blobs/denied");

        var failure = Assert.ThrowsAsync<RpcException>(async () =>
        {
            await stream.WriteAsync(TestData.Random(4 * Chunk));
            await stream.CompleteAsync();
        });
        var disposal = Assert.ThrowsAsync<ByteStreamException>(async () => await stream.DisposeAsync());

        Assert.Multiple(() =>
        {
            Assert.That(failure!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
            Assert.That(disposal!.InnerException, Is.SameAs(failure));
        });
    }

    [Test]
    public async Task Upload_NotFoundAfterProgress_RestartsAtZeroFromTheReplayBuffer([Values(Source.NonSeekableStream, Source.WriteStream)] Source source)
    {
        // 700 KiB in a 1 MiB replay buffer: the background query at half full must not have dropped anything.
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.MaxReplayBufferSize = MiB; o.InitialBackoff = TimeSpan.Zero; });
        var data = TestData.Random(700 * 1024);
        Server.Faults.CutWrite(afterBytes: 600 * 1024);
        Server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.NotFound, times: 10);

        var result = await UploadAsync(client, source, "blobs/restart", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/restart")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(Server.WriteRequests.Select(r => r.CallId).Distinct().Count(), Is.EqualTo(2));
            Assert.That(Server.WriteRequests.Count(r => r.WriteOffset == 0), Is.EqualTo(2), "the second call restarted at 0");
            Assert.That(result.Resumes, Is.EqualTo(1));
        });
    }

    [Test]
    public void Upload_FatalStatusAfterARestart_ThrowsTheServersStatus([Values] Source source)
    {
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.MaxReplayBufferSize = MiB; o.InitialBackoff = TimeSpan.Zero; });
        Server.Faults.CutWrite(afterBytes: 600 * 1024);
        Server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.NotFound);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.DataLoss);

        var error = Assert.ThrowsAsync<RpcException>(() => UploadAsync(client, source, "blobs/fatal-after-restart", TestData.Random(700 * 1024)).DefaultTimeout());

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DataLoss));
    }

    [Test]
    public void UploadAsync_CustomPipeline_CountsFailuresWithoutProgressAcrossChunks()
    {
        // The server takes a chunk and fails the call, but never commits anything: the caller's pipeline allows
        // three retries for the whole stretch without progress, not three per chunk.
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<RpcException>(), MaxRetryAttempts = 3, Delay = TimeSpan.Zero })
            .Build();
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.RetryPipeline = pipeline; });
        Server.Faults.CutWrite(afterBytes: Chunk, times: 100);
        Server.Faults.QueryWriteStatusOverride = (_, complete) => (0, complete);

        var error = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("blobs/no-progress", TestData.Random(16 * Chunk)).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Write), Is.EqualTo(4));
        });
    }

    /// <summary>Leaves <paramref name="prefix"/> committed under <paramref name="name"/>, unfinished, as an earlier process would.</summary>
    private async Task LeavePartialUploadAsync(string name, ReadOnlyMemory<byte> prefix)
    {
        var stub = new ByteStream.ByteStreamClient(Channel);
        using (var call = stub.Write())
        {
            for (var offset = 0; offset < prefix.Length; offset += MiB)
            {
                await call.RequestStream.WriteAsync(new WriteRequest
                {
                    ResourceName = name,
                    WriteOffset = offset,
                    Data = ByteString.CopyFrom(prefix.Span.Slice(offset, Math.Min(MiB, prefix.Length - offset))),
                });
            }

            await call.RequestStream.CompleteAsync();
            try
            {
                await call.ResponseAsync.DefaultTimeout();
            }
            catch (RpcException)
            {
                // The server rejects a Write closed without finish_write, but keeps what it committed.
            }
        }

        Assert.That(Server.TryGetWriteStatus(name, out var committed, out _), Is.True, "the server knows the upload");
        Assert.That(committed, Is.EqualTo(prefix.Length), "the partial upload is in place");
    }
}
