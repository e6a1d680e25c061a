using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Write;

/// <summary>Caller cancellation is never retried and leaves the upload resumable; backoff waits on the options' clock.</summary>
public class UploadCancellationTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    [Test]
    public async Task UploadAsync_CallerCancels_ThrowsOperationCanceledAndLeavesTheUploadResumable([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);

        var upload = await CancelAfterThreeChunksAsync(client, source, "blobs/cancelled", TestData.Random(8 * Chunk));

        Assert.That(async () => await upload.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(Server.Calls.Select(c => c.Method), Is.EqualTo(new[] { ByteStreamMethod.Write }));
            Assert.That(Server.WriteRequests.Any(r => r.FinishWrite), Is.False);
            Assert.That(Server.TryGetWriteStatus("blobs/cancelled", out var committed, out var complete), Is.True);
            Assert.That((committed, complete), Is.EqualTo((3L * Chunk, false)));
        });
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUploadAfterCancellation_SendsOnlyTheRest([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(8 * Chunk);
        var first = await CancelAfterThreeChunksAsync(client, source, "blobs/resume-existing", data);
        Assert.That(async () => await first.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());

        var result = await UploadAsync(client, source, "blobs/resume-existing", data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/resume-existing")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.BytesSent, Is.EqualTo(5 * Chunk));
            Assert.That(result.Resumes, Is.Zero);
            Assert.That(Server.WriteRequests.GroupBy(r => r.CallId).Last().First().WriteOffset, Is.EqualTo(3 * Chunk));
        });
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUploadOfACompleteResource_SendsNothing([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(3 * Chunk);
        await client.UploadAsync("blobs/complete", data).DefaultTimeout();
        var writesBefore = Server.WriteRequests.Count;

        var result = await UploadAsync(client, source, "blobs/complete", data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(result, Is.EqualTo(new UploadResult(data.Length, 0, 0)));
            Assert.That(Server.WriteRequests, Has.Count.EqualTo(writesBefore));
        });
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUploadOfAnUnknownResource_StartsAtZero([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random((2 * Chunk) + 1);

        var result = await UploadAsync(client, source, "blobs/fresh", data, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(StoredResource("blobs/fresh"), Is.EqualTo(data));
            Assert.That(result.BytesSent, Is.EqualTo(data.Length));
            Assert.That(Server.Calls[0].Method, Is.EqualTo(ByteStreamMethod.QueryWriteStatus));
        });
    }

    [Test]
    public async Task UploadAsync_BackoffDelay_WaitsOnTheOptionsTimeProvider()
    {
        var time = new TimerCountingTimeProvider();
        var backoff = TimeSpan.FromMinutes(10);
        var client = CreateClient(o => OnTheFakeClockOnly(o, time, backoff));
        var data = TestData.Random(1000);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable);

        var upload = client.UploadAsync("blobs/fake-time", data);
        await WaitUntilAsync(() => time.TimersCreated == 1);
        var writesBeforeAdvance = Server.Calls.Count(c => c.Method == ByteStreamMethod.Write);
        var completedBeforeAdvance = upload.IsCompleted;
        time.Advance(backoff);
        var result = await upload.DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(writesBeforeAdvance, Is.EqualTo(1));
            Assert.That(completedBeforeAdvance, Is.False, "the retry waits for the fake clock");
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(StoredResource("blobs/fake-time"), Is.EqualTo(data));
        });
    }

    [Test]
    public async Task UploadAsync_CancelledDuringBackoff_ThrowsOperationCanceledWithoutAnotherAttempt()
    {
        var time = new TimerCountingTimeProvider();
        var client = CreateClient(o => OnTheFakeClockOnly(o, time, TimeSpan.FromMinutes(10)));
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable);
        using var cts = new CancellationTokenSource();

        var upload = client.UploadAsync("blobs/cancel-backoff", TestData.Random(10), cancellationToken: cts.Token);
        await WaitUntilAsync(() => time.TimersCreated == 1);
        await cts.CancelAsync();

        Assert.That(async () => await upload.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.Write), Is.EqualTo(1));
    }

    [Test]
    public async Task UploadAsync_SixteenConcurrentUploadsOnOneClientWithCuts_AllStoreIdenticalBytes()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        Server.Faults.CutWrite(afterBytes: 5 * Chunk, times: 16);
        var payloads = Enumerable.Range(0, 16).Select(i => TestData.Random((12 * Chunk) + i, seed: 100 + i)).ToArray();

        var results = await Task.WhenAll(payloads.Select((data, i) => UploadAsync(client, (Source)(i % 4), $"blobs/concurrent/{i}", data))).DefaultTimeout();

        for (var i = 0; i < payloads.Length; i++)
        {
            Assert.That(TestData.Sha256(StoredResource($"blobs/concurrent/{i}")), Is.EqualTo(TestData.Sha256(payloads[i])), $"upload {i}");
        }

        Assert.That(results.Sum(r => r.Resumes), Is.EqualTo(16));
    }

    [Test]
    public async Task UploadAsync_NonSeekableSourceNeedingBytesNoLongerHeld_ThrowsByteStreamException()
    {
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.MaxReplayBufferSize = 2 * Chunk; });
        Server.Faults.CommitOnlyOnFinish = true;
        Server.Faults.CutWrite(afterBytes: 6 * Chunk);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => client.UploadAsync("blobs/lost", new ForwardOnlyReadStream(TestData.Random(8 * Chunk))).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("MaxReplayBufferSize"));
            Assert.That(Server.TryGetResource("blobs/lost", out _), Is.False);
        });
        await Task.CompletedTask;
    }

    [Test]
    public async Task UploadAsync_NonSeekableSourceWithSmallReplayBuffer_TrimsCommittedBytesAndResumes()
    {
        // The buffer must hold what can be in flight when a cut comes (the test server's 8 MiB stream window
        // plus socket buffers), yet be much smaller than the upload, so that it is trimmed many times.
        const int MiB = 1024 * 1024;
        var client = CreateClient(o => { o.ChunkSize = MiB; o.MaxReplayBufferSize = 16 * MiB; });
        var data = TestData.Random(96 * MiB);
        Server.Faults.CutWrite(afterBytes: 30 * MiB, times: 3);

        var result = await client.UploadAsync("blobs/trimmed", new ForwardOnlyReadStream(data)).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource("blobs/trimmed")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result.Resumes, Is.EqualTo(3));
            Assert.That(Server.Calls.Count(c => c.Method == ByteStreamMethod.QueryWriteStatus), Is.GreaterThan(3), "the full replay buffer asks what is committed");
        });
    }

    /// <summary>Starts an upload that the server stalls after three chunks, and cancels it there; returns the upload's task.</summary>
    private async Task<Task<UploadResult>> CancelAfterThreeChunksAsync(ByteStreamClient client, Source source, string name, byte[] data)
    {
        Server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 3 * Chunk);
        using var cts = new CancellationTokenSource();
        var upload = UploadAsync(client, source, name, data, cancellationToken: cts.Token);
        // Not only three chunks committed: a request past them must have reached the server, which takes the stall
        // fault on the same thread without waiting. Cancelled before that, the call would leave the fault armed
        // for the next test step's Write, which would then stall until its timeout.
        await WaitUntilAsync(() => Server.WriteRequests.Any(r => r.WriteOffset + r.DataLength > 3 * Chunk));
        await cts.CancelAsync();
        return upload;
    }

    /// <summary>
    /// Retries back off for <paramref name="backoff"/> on <paramref name="time"/>, and that backoff is the only timer
    /// on it (no stall timeout): the clock's first timer is the sign that the client waits to retry.
    /// </summary>
    private static void OnTheFakeClockOnly(ByteStreamClientOptions options, TimeProvider time, TimeSpan backoff)
    {
        options.TimeProvider = time;
        options.InitialBackoff = backoff;
        options.MaxBackoff = backoff;
        options.StallTimeout = null;
    }

    private static Task WaitUntilAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "") =>
        Eventually.UntilAsync(condition, what);
}
