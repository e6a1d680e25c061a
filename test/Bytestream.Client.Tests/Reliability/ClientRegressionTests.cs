using Bytestream.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// Client bugs the randomized fault schedules found (seeds in <see cref="FaultScheduleTests"/>), each pinned
/// down by a deterministic test.
/// </summary>
[Category("Reliability")]
public class ClientRegressionTests : ServerTestBase
{
    private const int Chunk = 1000;
    private static readonly TimeSpan Stall = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task UploadAsync_QueryWriteStatusStalls_StallTimeoutRetriesIt()
    {
        // Seeds 11, 20, 160: a QueryWriteStatus that never answered hung the upload despite StallTimeout.
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.StallTimeout = Stall; });
        var data = TestData.Random(5 * Chunk);
        Server.Faults.CutWrite(afterBytes: 1500);
        Server.Faults.StallNext(ByteStreamMethod.QueryWriteStatus);

        var result = await client.UploadAsync("rel/query-stall", data).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("rel/query-stall")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.QueryWriteStatus), Is.GreaterThanOrEqualTo(2));
        });
    }

    [Test]
    public void QueryWriteStatusAsync_ServerNeverAnswers_ThrowsDeadlineExceededAfterTheRetries()
    {
        // Counted at the client: on a loaded machine the stall timer may fire before the server sees a call.
        var counter = new CallCounter();
        var client = new ByteStreamClient(
            Channel.Intercept(counter),
            new ByteStreamClientOptions { StallTimeout = Stall, MaxRetryAttempts = 1, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        Server.Faults.StallNext(ByteStreamMethod.QueryWriteStatus, times: 2);

        var error = Assert.ThrowsAsync<RpcException>(() => client.QueryWriteStatusAsync("rel/query-never").WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(counter.Calls, Is.EqualTo(2), "the first call and MaxRetryAttempts retries");
        });
    }

    [Test]
    public void ReadAllBytesAsync_StallsOutlastTheBudget_ThrowsDeadlineExceeded()
    {
        // Seeds 52, 555, 766: a stalled Read surfaced as Cancelled ("Call canceled by the client"), not as the stall.
        var client = CreateClient(o => { o.StallTimeout = Stall; o.MaxRetryAttempts = 1; });
        Server.SetResource("rel/read-stall", TestData.Random(10));
        Server.Faults.StallNext(ByteStreamMethod.Read, times: 2);

        var error = Assert.ThrowsAsync<RpcException>(() => client.ReadAllBytesAsync("rel/read-stall").WaitAsync(Bound));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded), error.ToString());
    }

    [Test]
    public void UploadAsync_FailuresEachSeenAtTheNextChunk_CountAgainstOneRetryBudget()
    {
        // Seeds 16, 183: every chunk started a fresh retry budget, so failures without progress that the
        // client noticed one chunk later never used it up (here 6 failures with MaxRetryAttempts = 2, each
        // resending everything from offset 0, and the upload went on).
        var client = new ByteStreamClient(
            Channel.Intercept(new LateWriteFailureInterceptor(failingCalls: 6)),
            new ByteStreamClientOptions { ChunkSize = Chunk, MaxRetryAttempts = 2, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable, times: 6);

        var error = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("rel/late-failures", TestData.Random(20 * Chunk)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Write), Is.EqualTo(3), "the first call and MaxRetryAttempts retries");
        });
    }

    [Test]
    public async Task Upload_ServerResetsTheStreamWhileTheClientSends_ResumesWithIdenticalBytes([Values] bool writeStream)
    {
        // Seeds 2740, 2788 (with one connection for all schedules, Kestrel's rapid-reset protection reset streams):
        // an HTTP/2 stream reset escaped as a raw HttpProtocolException from the request stream.
        // More than the server's stream window (8 MiB), so the client is still sending when the reset comes.
        var client = CreateClient(o => o.ChunkSize = 64 * 1024);
        var data = TestData.Random(24 * 1024 * 1024);
        Server.Faults.ResetWrite(afterBytes: 1024 * 1024);

        UploadResult result;
        if (writeStream)
        {
            await using var stream = client.OpenWrite("rel/reset-write");
            await stream.WriteAsync(data).AsTask().WaitAsync(Bound);
            result = await stream.CompleteAsync().WaitAsync(Bound);
        }
        else
        {
            result = await client.UploadAsync("rel/reset-write", new ForwardOnlyReadStream(data)).WaitAsync(Bound);
        }

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("rel/reset-write")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ReadAllBytesAsync_ServerResetsTheStream_ResumesWithIdenticalBytes()
    {
        var client = CreateClient();
        var data = TestData.Random(3 * 1024 * 1024);
        Server.SetResource("rel/reset-read", data);
        Server.Faults.ResetRead(afterBytes: 1024 * 1024);

        var bytes = await client.ReadAllBytesAsync("rel/reset-read").WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Read), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task UploadAsync_FailuresWithProgressBetween_EachGetAFreshBudget()
    {
        // The other side of the rule: a failure after the committed size advanced starts the count again.
        var client = new ByteStreamClient(
            Channel,
            new ByteStreamClientOptions { ChunkSize = Chunk, MaxRetryAttempts = 1, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = TestData.Random(20 * Chunk);
        Server.Faults.CutWrite(afterBytes: 2 * Chunk, times: 6);

        var result = await client.UploadAsync("rel/progress-failures", data).WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("rel/progress-failures")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(6));
        });
    }
}
