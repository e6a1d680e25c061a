using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace Bytestream.Client.Tests.Read;

/// <summary>Reads that the server cuts, stalls or pads: resumed at the right place with the right limit and budget.</summary>
public class ReadResumeTests : ReadServerTestBase
{
    private const int Size = (4 * Chunk) + 123;

    [TestCase(1)]
    [TestCase(Chunk - 1)]
    [TestCase(Chunk)]
    [TestCase(Chunk + 1)]
    [TestCase(Size - 1)]
    public async Task ReadAsync_CutAtAnExactPoint_ResumesThereWithContinuousPosition(int cutAfter)
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.CutRead(cutAfter);
        await using var stream = CreateClient(out var recorder).OpenRead(name);
        var destination = new MemoryStream();
        var buffer = new byte[10_000];

        int n;
        while ((n = await stream.ReadAsync(buffer).DefaultTimeout()) > 0)
        {
            destination.Write(buffer, 0, n);
            Assert.That(stream.Position, Is.EqualTo(destination.Length));
        }

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(recorder.OffsetsAndLimits, Is.EqualTo(new[] { (0L, 0L), ((long)cutAfter, 0L) }));
        Assert.That(ReadCalls.Select(c => c.Status), Is.EqualTo(new StatusCode?[] { StatusCode.Unavailable, StatusCode.OK }));
    }

    [TestCase(1)]
    [TestCase(Chunk)]
    [TestCase(Chunk + 1)]
    public async Task DownloadAsync_CutWithOffsetAndLimit_ResumedCallAsksForTheRemainingLimit(int cutAfter)
    {
        var (name, data) = AddResource(Size);
        const int offset = 1000;
        const int limit = (2 * Chunk) + 17;
        Server.Faults.CutRead(cutAfter);
        var destination = new MemoryStream();

        var count = await CreateClient(out var recorder).DownloadAsync(name, destination, new DownloadOptions { Offset = offset, Limit = limit }).DefaultTimeout();

        Assert.That(count, Is.EqualTo(limit));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data.AsSpan(offset, limit))));
        Assert.That(recorder.OffsetsAndLimits, Is.EqualTo(new[] { ((long)offset, (long)limit), ((long)offset + cutAfter, (long)limit - cutAfter) }));
    }

    [Test]
    public async Task DownloadAsync_CutEveryFewHundredKilobytes_ReturnsEveryByte()
    {
        var (name, data) = AddBlob((6 * 1024 * 1024) + 5);
        const int every = 300_000;
        Server.Faults.CutRead(every, StatusCode.Internal, times: 100);
        var destination = new MemoryStream();

        var count = await CreateClient(out var recorder).DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(data.Length));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        var offsets = recorder.OffsetsAndLimits.Select(r => r.Offset).ToArray();
        Assert.That(offsets, Is.EqualTo(Enumerable.Range(0, offsets.Length).Select(i => (long)i * every)));
        Assert.That(offsets, Has.Length.EqualTo((data.Length / every) + 1), "the cut after the last byte ends the read");
    }

    [Test]
    public async Task DownloadAsync_ErrorAfterTheLastExpectedByte_SucceedsWithOneCall()
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.CutRead(Size, StatusCode.Internal);
        var destination = new MemoryStream();

        var count = await CreateClient().DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls.Select(c => c.Status), Is.EqualTo(new StatusCode?[] { StatusCode.Internal }));
    }

    [Test]
    public async Task DownloadAsync_NonRetryableErrorAfterTheLastByteOfTheLimit_Succeeds()
    {
        var (name, data) = AddResource(Size);
        Server.Faults.CutRead(Chunk, StatusCode.PermissionDenied);
        var destination = new MemoryStream();

        var count = await CreateClient().DownloadAsync(name, destination, new DownloadOptions { Offset = 7, Limit = Chunk }).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Chunk));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data.AsSpan(7, Chunk))));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_ErrorAfterTheLastByteOfAnUnknownLength_ResumesAtTheEnd()
    {
        var (name, data) = AddResource(Size);
        Server.Faults.CutRead(Size);
        var destination = new MemoryStream();

        var count = await CreateClient(out var recorder).DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(recorder.OffsetsAndLimits, Is.EqualTo(new[] { (0L, 0L), ((long)Size, 0L) }), "without a known length the end must be confirmed");
    }

    [Test]
    public async Task ReadAsync_KeepAlivesBeforeEveryChunk_NeverReturnsZeroBeforeTheEnd()
    {
        var (name, data) = AddResource(Size);
        Server.Faults.EmptyReadResponsesBeforeEachChunk = 3;
        await using var stream = CreateClient().OpenRead(name);
        var destination = new MemoryStream();
        var buffer = new byte[Chunk];

        int n;
        while ((n = await stream.ReadAsync(buffer).DefaultTimeout()) > 0)
        {
            destination.Write(buffer, 0, n);
        }

        Assert.That(destination.Length, Is.EqualTo(Size), "a 0 before the end would have stopped the loop early");
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task DownloadAsync_FiveCutsAfterProgressWithOneRetry_Succeeds()
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.CutRead(Chunk / 2, times: 5);
        var destination = new MemoryStream();

        var count = await CreateClient(o => o.MaxRetryAttempts = 1).DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls.Count(c => c.Status == StatusCode.Unavailable), Is.EqualTo(5));
    }

    [Test]
    public async Task DownloadAsync_CutsAfterProgressEachFollowedByAFailure_EachFailureGetsAFreshBudget()
    {
        var (name, data) = AddBlob(Size);
        await using var stream = CreateClient(out var recorder, o => o.MaxRetryAttempts = 1).OpenRead(name);
        var destination = new MemoryStream();
        var buffer = new byte[Chunk];

        // Each round: the open call is cut after its next chunk, and the call that resumes fails at once.
        for (var round = 0; round < 3; round++)
        {
            Server.Faults.CutRead(Chunk);
            destination.Write(buffer, 0, await stream.ReadAsync(buffer).DefaultTimeout());
            Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable);
        }

        await stream.CopyToAsync(destination).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls.Count(c => c.Status == StatusCode.Unavailable), Is.EqualTo(6));
        Assert.That(recorder.OffsetsAndLimits.Select(r => r.Offset), Is.EqualTo(new long[] { 0, Chunk, Chunk, 2 * Chunk, 2 * Chunk, 3 * Chunk, 3 * Chunk }));
    }

    [Test]
    public void DownloadAsync_FailuresWithoutProgressBeyondTheBudget_ThrowTheServersError()
    {
        var (name, _) = AddBlob(Size);
        Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable, times: 4);

        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient(o => o.MaxRetryAttempts = 3).DownloadAsync(name, new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(ReadCalls, Has.Count.EqualTo(4), "the first try and three retries");
    }

    [Test]
    public async Task DownloadAsync_FailuresWithoutProgressWithinTheBudget_Succeeds()
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.ResourceExhausted, times: 3);
        var destination = new MemoryStream();

        await CreateClient(o => o.MaxRetryAttempts = 3).DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls, Has.Count.EqualTo(4));
    }

    [Test]
    public async Task DownloadAsync_Backoff_WaitsOnTheTimeProvider()
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable);
        var time = new TimerCountingTimeProvider();
        var backoff = TimeSpan.FromHours(1);
        var client = CreateClient(o =>
        {
            o.TimeProvider = time;
            o.InitialBackoff = backoff;
            o.MaxBackoff = backoff;
            o.StallTimeout = null;   // the backoff is the only timer on the fake clock
        });
        var destination = new MemoryStream();

        var download = client.DownloadAsync(name, destination);
        await Eventually.UntilAsync(() => time.TimersCreated == 1, "the retry's backoff to start on the fake clock");
        Assert.That(download.IsCompleted, Is.False, "the retry waits for the fake clock");
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
        time.Advance(backoff);
        var count = await download.DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls, Has.Count.EqualTo(2));
    }

    [TestCase(0)]
    [TestCase(Chunk + 5)]
    public async Task DownloadAsync_StalledCallWithStallTimeout_IsCancelledAndResumed(int stallAfter)
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.StallNext(ByteStreamMethod.Read, stallAfter);
        var destination = new MemoryStream();

        var count = await CreateClient(out var recorder, o => o.StallTimeout = TimeSpan.FromMilliseconds(300)).DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(recorder.OffsetsAndLimits.Select(r => r.Offset), Is.EqualTo(new long[] { 0, stallAfter }));
        await ReadCalls[0].Ended.DefaultTimeout();
        Assert.That(ReadCalls[0].Status, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task ReadAsync_ConsumerIdleLongerThanTheStallTimeout_StillReturnsEveryByte()
    {
        var (name, data) = AddBlob(Size);
        var time = new FakeTimeProvider();
        var stallTimeout = TimeSpan.FromSeconds(10);
        await using var stream = CreateClient(o =>
        {
            o.TimeProvider = time;
            o.StallTimeout = stallTimeout;
        }).OpenRead(name);
        var destination = new MemoryStream();
        var buffer = new byte[Chunk];
        destination.Write(buffer, 0, await stream.ReadAsync(buffer).DefaultTimeout());

        // The caller is busy elsewhere for longer than the stall timeout.
        time.Advance(stallTimeout * 2);
        await stream.CopyToAsync(destination).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(stream.Position, Is.EqualTo(Size));
    }

    [Test]
    public async Task DownloadAsync_Headers_SentOnEveryAttempt()
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.CutRead(1000, times: 2);
        Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable);
        var headers = new Metadata { { "x-request-id", "read-42" }, { "authorization", "Bearer token" } };
        var destination = new MemoryStream();

        await CreateClient().DownloadAsync(name, destination, new DownloadOptions { Headers = headers }).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls, Has.Count.EqualTo(4));
        Assert.That(ReadCalls.Select(c => c.RequestHeaders.GetValue("x-request-id")), Is.All.EqualTo("read-42"));
        Assert.That(ReadCalls.Select(c => c.RequestHeaders.GetValue("authorization")), Is.All.EqualTo("Bearer token"));
    }
}
