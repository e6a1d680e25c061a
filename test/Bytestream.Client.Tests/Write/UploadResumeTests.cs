using Bytestream.Testing;
using Grpc.Core;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Write;

/// <summary>Uploads through injected faults: they resume from the committed size and store identical bytes.</summary>
public class UploadResumeTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    [Test]
    public async Task UploadAsync_CutMidChunk_ResumesAtCommittedSizeAndResendsLessThanAChunk([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(10 * Chunk);
        Server.Faults.CutWrite(afterBytes: (3 * Chunk) + 100);

        var result = await UploadAsync(client, source, "blobs/cut", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/cut")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(Server.WriteRequests.GroupBy(r => r.CallId).Last().First().WriteOffset, Is.EqualTo((3 * Chunk) + 100));
            Assert.That(result.BytesSent, Is.InRange(data.Length, (2 * data.Length) - ((3 * Chunk) + 100)));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.QueryWriteStatus), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UploadAsync_ResumedAttempt_ProgressNeverGoesBackAndEndsAtTheTotal([Values] Source source)
    {
        // The whole source is read before the cut, and the server keeps only half: the resumed attempt
        // resends the rest. Progress used to drop back to where the server stood (API.md, v3: Progress).
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(4 * Chunk);
        var reports = new List<TransferProgress>();
        Server.Faults.CommitLag = 2 * Chunk;
        Server.Faults.CutWrite(afterBytes: (4 * Chunk) - 1);

        var result = await UploadAsync(client, source, "blobs/progress-resumed", data, new UploadOptions { Progress = new SynchronousProgress(reports.Add) }).DefaultTimeout();

        var transferred = reports.Select(r => r.BytesTransferred).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(transferred, Is.Ordered.Ascending.And.Unique, "never back, never the same twice");
            Assert.That(transferred[^1], Is.EqualTo(data.Length));
            Assert.That(reports.Select(r => r.TotalBytes), Is.All.EqualTo(source is Source.Memory or Source.SeekableStream ? data.Length : null), "known only from the source");
            Assert.That(result.BytesSent, Is.GreaterThan(data.Length), "what was resent is in BytesSent");
            Assert.That(TestData.Sha256(StoredResource("blobs/progress-resumed")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task UploadAsync_CompressedRestartAtZero_ProgressNeverGoesBackAndEndsAtTheTotal([Values] Source source)
    {
        // A compressed upload starts again at 0 after a cut: the bytes sent again count only past the highest report.
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(6 * Chunk);
        var name = TestData.ZstdUploadName(data);
        var reports = new List<TransferProgress>();
        Server.Faults.CutWrite(afterBytes: 3 * Chunk);

        var result = await UploadAsync(client, source, name, data, new UploadOptions { Progress = new SynchronousProgress(reports.Add) }).DefaultTimeout();

        var transferred = reports.Select(r => r.BytesTransferred).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(transferred, Is.Ordered.Ascending.And.Unique);
            Assert.That(transferred[^1], Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(data))), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task UploadAsync_ServerRefusesTheResumedOffset_AsksAgainAndFinishes([Values] Source source)
    {
        // Seed 174: a server reported a committed size it no longer held when the resume came (it forgot the upload
        // once the cut call ended), and refused the resumed write_offset with FAILED_PRECONDITION, which surfaced.
        // Staged here with Google's no-rewind rule and a first answer that lags one chunk behind what the server holds.
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { RequireWriteOffsetAtCommittedSize = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = Chunk, InitialBackoff = TimeSpan.FromMilliseconds(1), MaxBackoff = TimeSpan.FromMilliseconds(1) });
        var data = TestData.Random(6 * Chunk);
        var answers = 0;
        server.Faults.QueryWriteStatusOverride = (size, complete) => Interlocked.Increment(ref answers) == 1 ? (size - Chunk, complete) : (size, complete);
        server.Faults.CutWrite(afterBytes: 3 * Chunk);

        var result = await UploadAsync(client, source, "blobs/refused-resume", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(server.Calls.Count(c => c.Method == ByteStreamMethod.Write && c.Status == StatusCode.FailedPrecondition), Is.EqualTo(1), "the refused resume");
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(server.TryGetResource("blobs/refused-resume", out var stored), Is.True);
            Assert.That(TestData.Sha256(stored!), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task UploadAsync_ResumedCall_StartsAtCommittedSizeWithResourceNameOnEveryRequest([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(6 * Chunk);
        Server.Faults.CutWrite(afterBytes: 2 * Chunk);

        await UploadAsync(client, source, "blobs/resumed", data).DefaultTimeout();

        var calls = Server.WriteRequests.GroupBy(r => r.CallId).ToList();
        Assert.That(calls, Has.Count.EqualTo(2));
        Assert.Multiple(() =>
        {
            Assert.That(calls[1].First().WriteOffset, Is.EqualTo(2 * Chunk));
            Assert.That(calls.SelectMany(c => c).Select(r => r.ResourceName), Is.All.EqualTo("blobs/resumed"));
        });
    }

    [Test]
    public async Task UploadAsync_CutEvery8MiBOf128MiB_SucceedsWithIdenticalData()
    {
        var client = CreateClient();
        var data = TestData.Random(128 * 1024 * 1024);
        Server.Faults.CutWrite(afterBytes: 8 * 1024 * 1024, times: 15);
        using var source = new MemoryStream(data);

        var result = await client.UploadAsync("blobs/large", source).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/large")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(15));
            Assert.That(
                Server.WriteRequests.GroupBy(r => r.CallId).Select(c => c.First().WriteOffset),
                Is.EqualTo(Enumerable.Range(0, 16).Select(i => i * 8L * 1024 * 1024)));
        });
    }

    [Test]
    public async Task UploadAsync_CommitsLagBehindReceipt_ResendsTheUncommittedTail([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(8 * Chunk);
        Server.Faults.CommitLag = Chunk + 7;
        Server.Faults.CutWrite(afterBytes: 5 * Chunk);

        var result = await UploadAsync(client, source, "blobs/lag", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/lag")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(Server.WriteRequests.GroupBy(r => r.CallId).Last().First().WriteOffset, Is.EqualTo((4 * Chunk) - 7));
            Assert.That(result.BytesSent, Is.GreaterThanOrEqualTo(data.Length + Chunk + 7));
        });
    }

    [TestCase(QueryWriteStatusMode.NotFound)]
    [TestCase(QueryWriteStatusMode.Unimplemented)]
    public async Task UploadAsync_ServerCannotSayWhatItHolds_StartsAgainAtTheFirstOffset(QueryWriteStatusMode mode)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(6 * Chunk);
        Server.Faults.QueryWriteStatusMode = mode;
        Server.Faults.CutWrite(afterBytes: 4 * Chunk);

        var result = await client.UploadAsync("blobs/restart", new MemoryStream(data)).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/restart")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(Server.WriteRequests.GroupBy(r => r.CallId).Last().First().WriteOffset, Is.Zero);
            Assert.That(result.BytesSent, Is.InRange(data.Length + (4 * Chunk), 2 * data.Length));
        });
    }

    [Test]
    public async Task UploadAsync_ServerCommitsOnlyOnFinish_RestartsFromZeroAndSucceeds([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(5 * Chunk);
        Server.Faults.CommitOnlyOnFinish = true;
        Server.Faults.CutWrite(afterBytes: 3 * Chunk);

        var result = await UploadAsync(client, source, "blobs/on-finish", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/on-finish")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UploadAsync_FailuresAfterProgress_DoNotUseUpTheRetryBudget([Values] Source source)
    {
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.MaxRetryAttempts = 1; });
        var data = TestData.Random(12 * Chunk);
        Server.Faults.CutWrite(afterBytes: Chunk + 3, times: 8);

        var result = await UploadAsync(client, source, "blobs/progressive", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/progressive")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(8));
        });
    }

    [Test]
    public void UploadAsync_MoreFailuresWithoutProgressThanAllowed_ThrowsTheLastError()
    {
        var client = CreateClient(o => o.MaxRetryAttempts = 2);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable, times: 3);

        var error = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("blobs/down", TestData.Random(100)).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Write), Is.EqualTo(3));
            Assert.That(Server.TryGetResource("blobs/down", out _), Is.False);
        });
    }

    [Test]
    public async Task UploadAsync_AsManyFailuresWithoutProgressAsAllowed_Succeeds()
    {
        var client = CreateClient(o => o.MaxRetryAttempts = 2);
        var data = TestData.Random(100);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable, times: 2);

        var result = await client.UploadAsync("blobs/flaky", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(StoredResource("blobs/flaky"), Is.EqualTo(data));
            Assert.That(result.Resumes, Is.EqualTo(2));
        });
    }

    [TestCase(StatusCode.InvalidArgument)]
    [TestCase(StatusCode.PermissionDenied)]
    [TestCase(StatusCode.FailedPrecondition)]
    public void UploadAsync_NonRetryableStatus_ThrowsItWithoutRetryingOrQuerying(StatusCode status)
    {
        var client = CreateClient();
        Server.Faults.FailNext(ByteStreamMethod.Write, status);

        var error = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("blobs/refused", TestData.Random(100)).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(status));
            Assert.That(Server.Calls.Select(c => c.Method), Is.EqualTo(new[] { ByteStreamMethod.Write }));
        });
    }

    [Test]
    public async Task UploadAsync_ServerEndsEarlyBecauseTheBlobExists_SucceedsWithoutReadingTheRest()
    {
        // Larger than the server's HTTP/2 windows together, so the client cannot have sent it all before it learns.
        var client = CreateClient();
        var data = TestData.Random(ByteStreamTestServerOptions.DefaultHttp2ConnectionWindowSize + ByteStreamTestServerOptions.DefaultHttp2StreamWindowSize);
        Server.SetResource("blobs/exists", data);
        Server.Faults.EndWriteEarly();
        using var source = new MemoryStream(data);

        var result = await client.UploadAsync("blobs/exists", source).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(result.BytesSent, Is.LessThan(data.Length));
            Assert.That(source.Position, Is.LessThan(data.Length));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Write), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UploadAsync_EarlyOkWithMinusOne_IsSuccess([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.EndWriteEarly(committedSize: -1);

        var result = await UploadAsync(client, source, "blobs/minus-one", TestData.Random(8 * Chunk)).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(-1));
    }

    [Test]
    public async Task UploadAsync_EarlyOkWithPartialSize_AsksQueryWriteStatusAndFinishes()
    {
        // Larger than the HTTP/2 windows: the early end reaches the client before its finish_write.
        var client = CreateClient();
        var data = TestData.Random(32 * 1024 * 1024);
        Server.Faults.EndWriteEarly(committedSize: 5);

        var result = await client.UploadAsync("blobs/early-partial", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/early-partial")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.QueryWriteStatus), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UploadAsync_EarlyOkWithPartialSizeRacingFinishWrite_ResumesAndSucceeds([Values] Source source)
    {
        // Small enough to be sent whole, finish_write included, before the early end arrives.
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random((2 * Chunk) + 3);
        Server.Faults.EndWriteEarly(committedSize: 5);

        var result = await UploadAsync(client, source, "blobs/early-race", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/early-race")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(result.Resumes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UploadAsync_AlreadyExists_IsSuccess()
    {
        var client = CreateClient();
        var data = TestData.Random(1000);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.AlreadyExists);

        var result = await client.UploadAsync("blobs/already", data).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(1000));
    }

    [Test]
    public async Task UploadAsync_ExistingResourceEndsEarly_StopsSendingAndSucceeds()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ExistingResourceBehavior = ExistingResourceBehavior.EndEarlyOk }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel);
        // Larger than the HTTP/2 windows, so the client cannot have sent it all before it learns.
        var data = TestData.Random(32 * 1024 * 1024);
        await client.UploadAsync("blobs/twice", data).DefaultTimeout();

        var second = await client.UploadAsync("blobs/twice", new MemoryStream(data)).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(second.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(second.BytesSent, Is.LessThan(data.Length));
        });
    }

    [Test]
    public async Task UploadAsync_StalledWrite_IsCancelledAndResumedAfterStallTimeout([Values] Source source)
    {
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.StallTimeout = TimeSpan.FromMilliseconds(300); });
        var data = TestData.Random(6 * Chunk);
        Server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 2 * Chunk);

        var result = await UploadAsync(client, source, "blobs/stall", data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/stall")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task UploadAsync_HeadersOption_IsSentOnEveryAttemptAndQuery()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var headers = new Metadata { { "authorization", "Bearer token-1" }, { "x-request-id", "42" } };
        Server.Faults.CutWrite(afterBytes: Chunk, times: 2);

        await client.UploadAsync("blobs/headers", TestData.Random(4 * Chunk), new UploadOptions { Headers = headers }).DefaultTimeout();

        Assert.That(Server.Calls, Has.Count.EqualTo(5));
        foreach (var call in Server.Calls)
        {
            Assert.That(call.RequestHeaders.GetValue("authorization"), Is.EqualTo("Bearer token-1"), call.Method.ToString());
            Assert.That(call.RequestHeaders.GetValue("x-request-id"), Is.EqualTo("42"), call.Method.ToString());
        }
    }
}
