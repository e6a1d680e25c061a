using Bytestream.Client.Tests.Infrastructure;
using Grpc.Core;

namespace Bytestream.Client.Tests.Read;

/// <summary>
/// Read-path behaviour that needs a server to misbehave precisely: scripted Read calls through
/// <see cref="ScriptedReadInvoker"/> (keep-alives between chunks, more than read_limit, errors at exact points).
/// </summary>
public class ReadScriptedTests
{
    private const string Name = "scripted/resource";

    private static ByteStreamClient CreateClient(ScriptedReadInvoker invoker, int maxRetryAttempts = 3) =>
        new(invoker, new ByteStreamClientOptions { MaxRetryAttempts = maxRetryAttempts, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

    [Test]
    public async Task ReadAsync_KeepAlivesBetweenChunks_NeverReturnsZeroBeforeTheEnd()
    {
        var data = TestData.Random(30);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall()
            .KeepAlive(3).Send(data.AsMemory(0, 10)).KeepAlive(2).Send(data.AsMemory(10, 15)).KeepAlive(5).Send(data.AsMemory(25)).KeepAlive(4));
        await using var stream = CreateClient(invoker).OpenRead(Name);
        var received = new MemoryStream();
        var buffer = new byte[64];
        var counts = new List<int>();

        int n;
        while ((n = await stream.ReadAsync(buffer).DefaultTimeout()) > 0)
        {
            counts.Add(n);
            received.Write(buffer, 0, n);
        }

        Assert.That(counts, Is.EqualTo(new[] { 10, 15, 5 }));
        Assert.That(TestData.Sha256(received.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(invoker.Started, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_OnlyKeepAlives_ReturnsZeroBytes()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().KeepAlive(10));
        var destination = new MemoryStream();

        var count = await CreateClient(invoker).DownloadAsync(Name, destination).DefaultTimeout();

        Assert.That(count, Is.Zero);
        Assert.That(destination.Length, Is.Zero);
    }

    [Test]
    public void DownloadAsync_MoreThanReadLimit_ThrowsByteStreamException()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(TestData.Random(8)).Send(TestData.Random(8, seed: 2)));
        var destination = new MemoryStream();

        var ex = Assert.ThrowsAsync<ByteStreamException>(() =>
            CreateClient(invoker).DownloadAsync(Name, destination, new DownloadOptions { Limit = 10 }).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(Name));
        Assert.That(ex.Message, Does.Contain("read_limit"));
        Assert.That(destination.Length, Is.EqualTo(8), "only the bytes within the limit reach the destination");
        Assert.That(invoker.Started[0].Request!.ReadLimit, Is.EqualTo(10));
    }

    [Test]
    public void ReadAsync_MoreThanReadLimitOnAResumedCall_ThrowsByteStreamException()
    {
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(TestData.Random(6)).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Send(TestData.Random(5)));

        var ex = Assert.ThrowsAsync<ByteStreamException>(() =>
            CreateClient(invoker).DownloadAsync(Name, new MemoryStream(), new DownloadOptions { Limit = 10 }).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(Name));
        Assert.That(invoker.Started[1].Request!.ReadLimit, Is.EqualTo(4), "the resumed call asks for the remaining limit");
    }

    [Test]
    public void DownloadAsync_MoreThanExpectedLength_ThrowsByteStreamException()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(TestData.Random(12)));

        var ex = Assert.ThrowsAsync<ByteStreamException>(() =>
            CreateClient(invoker).DownloadAsync(Name, new MemoryStream(), new DownloadOptions { ExpectedLength = 10 }).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(Name));
        Assert.That(ex.Message, Does.Contain("returned more than the expected length: at least 12 bytes, but DownloadOptions.ExpectedLength is 10"));
        Assert.That(ex.Message, Does.Not.Contain("read_offset"), "the caller's length was too small; the server is not to blame");
    }

    [Test]
    public void DownloadAsync_MoreThanTheBlobNameSays_BlamesTheServer()
    {
        const string blob = "main/blobs/0000000000000000000000000000000000000000000000000000000000000000/10";
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(TestData.Random(20)));

        var ex = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).DownloadAsync(blob, new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.Message, Does.Contain("broke the protocol"));
        Assert.That(ex.Message, Does.Contain("at least 20 bytes, more than the 10 its REAPI name gives"));
    }

    [Test]
    public void DownloadAsync_CleanEndBeforeExpectedLength_ThrowsByteStreamException()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(TestData.Random(7)));

        var ex = Assert.ThrowsAsync<ByteStreamException>(() =>
            CreateClient(invoker).DownloadAsync(Name, new MemoryStream(), new DownloadOptions { ExpectedLength = 10 }).DefaultTimeout());

        Assert.That(ex!.ResourceName, Is.EqualTo(Name));
        Assert.That(ex.Message, Does.Contain("7 of the 10"));
    }

    [Test]
    public void ReadAllBytesAsync_ReapiNameAndShortResource_ThrowsByteStreamExceptionNeverTruncates()
    {
        var data = TestData.Random(10);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(data.AsMemory(0, 9)));

        var ex = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).ReadAllBytesAsync(TestData.BlobName(data)).DefaultTimeout());

        Assert.That(ex!.Message, Does.Contain("9 of the 10"));
    }

    [TestCase(StatusCode.Unavailable)]
    [TestCase(StatusCode.PermissionDenied)]
    [TestCase(StatusCode.Internal)]
    public async Task DownloadAsync_ErrorAfterLastExpectedByte_Succeeds(StatusCode status)
    {
        var data = TestData.Random(20);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().SendChunked(data, 8).Fail(status));
        var destination = new MemoryStream();

        var count = await CreateClient(invoker).DownloadAsync(TestData.BlobName(data), destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(20));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(invoker.Started, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task DownloadAsync_EmptyBlobWhoseCallFails_IsRetriedNotTakenAsDone()
    {
        var empty = Array.Empty<byte>();
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Fail(StatusCode.Unavailable), new ScriptedReadCall());

        var count = await CreateClient(invoker).DownloadAsync(TestData.BlobName(empty), new MemoryStream()).DefaultTimeout();

        Assert.That(count, Is.Zero);
        Assert.That(invoker.Started, Has.Count.EqualTo(2), "with nothing expected there is no last byte an error could follow");
    }

    [Test]
    public async Task DownloadAsync_CutAfterTheLimitWasReached_MakesNoFurtherCall()
    {
        var data = TestData.Random(10);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(data).Fail(StatusCode.Unavailable));
        var destination = new MemoryStream();

        var count = await CreateClient(invoker).DownloadAsync(Name, destination, new DownloadOptions { Offset = 5, Limit = 10 }).DefaultTimeout();

        Assert.That(count, Is.EqualTo(10));
        Assert.That(invoker.Started, Has.Count.EqualTo(1), "a resumed call with read_limit 0 would read to the end");
    }

    [Test]
    public async Task DownloadAsync_CutAfterProgress_ResumesAtThePositionWithTheRemainingLimit()
    {
        var data = TestData.Random(100);
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(data.AsMemory(0, 30)).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Send(data.AsMemory(30, 25)).KeepAlive().Fail(StatusCode.Internal),
            new ScriptedReadCall().Send(data.AsMemory(55, 15)));
        var destination = new MemoryStream();

        var count = await CreateClient(invoker).DownloadAsync(Name, destination, new DownloadOptions { Offset = 1000, Limit = 70 }).DefaultTimeout();

        Assert.That(count, Is.EqualTo(70));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data.AsSpan(0, 70))));
        var requests = invoker.Started.Select(c => (c.Request!.ReadOffset, c.Request.ReadLimit)).ToArray();
        Assert.That(requests, Is.EqualTo(new[] { (1000L, 70L), (1030L, 40L), (1055L, 15L) }));
    }

    [Test]
    public void DownloadAsync_NonRetryableErrorAfterProgress_SurfacesWithoutAnotherCall()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(TestData.Random(4)).Fail(StatusCode.PermissionDenied));

        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient(invoker).DownloadAsync(Name, new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(invoker.Started, Has.Count.EqualTo(1));
    }

    [Test]
    public void DownloadAsync_FailuresWithoutProgress_UseUpTheBudget()
    {
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(TestData.Random(4)).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().KeepAlive().Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Fail(StatusCode.Unavailable));

        var ex = Assert.ThrowsAsync<RpcException>(() => CreateClient(invoker, maxRetryAttempts: 2).DownloadAsync(Name, new MemoryStream()).DefaultTimeout());

        Assert.That(ex!.StatusCode, Is.EqualTo(StatusCode.Unavailable));
        Assert.That(invoker.Started, Has.Count.EqualTo(4), "one call with progress, then a first try and two retries");
        Assert.That(invoker.Started.Skip(1).Select(c => c.Request!.ReadOffset), Is.All.EqualTo(4));
    }

    [Test]
    public async Task ReadAsync_CallerCancelsWhileWaiting_ThrowsOperationCanceledAndCancelsTheCall()
    {
        var data = TestData.Random(10);
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(data.AsMemory(0, 4)).Hang(),
            new ScriptedReadCall().Send(data.AsMemory(4)));
        await using var stream = CreateClient(invoker).OpenRead(Name);
        var buffer = new byte[10];
        Assert.That(await stream.ReadAsync(buffer).DefaultTimeout(), Is.EqualTo(4));
        using var cts = new CancellationTokenSource();

        var pending = stream.ReadAsync(buffer.AsMemory(4), cts.Token).AsTask();
        await cts.CancelAsync();

        Assert.That(async () => await pending.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(invoker.Started, Has.Count.EqualTo(1), "a cancelled read is never retried");
        Assert.That(invoker.Started[0].Cancelled, Is.True);
        Assert.That(invoker.Started[0].Disposed, Is.True);
        Assert.That(stream.Position, Is.EqualTo(4));
    }

    [Test]
    public async Task ReadAsync_AfterACancelledRead_ContinuesAtThePosition()
    {
        var data = TestData.Random(10);
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(data.AsMemory(0, 4)).Hang(),
            new ScriptedReadCall().Send(data.AsMemory(4)));
        await using var stream = CreateClient(invoker).OpenRead(Name);
        var buffer = new byte[10];
        await stream.ReadAsync(buffer.AsMemory(0, 4)).DefaultTimeout();
        using (var cts = new CancellationTokenSource())
        {
            var pending = stream.ReadAsync(buffer.AsMemory(4), cts.Token).AsTask();
            await cts.CancelAsync();
            Assert.That(async () => await pending.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        }

        var n = await stream.ReadAsync(buffer.AsMemory(4)).DefaultTimeout();

        Assert.That(n, Is.EqualTo(6));
        Assert.That(buffer, Is.EqualTo(data));
        Assert.That(invoker.Started[1].Request!.ReadOffset, Is.EqualTo(4));
        Assert.That(stream.Position, Is.EqualTo(10));
    }

    [Test]
    public async Task ReadAsync_AlreadyCancelledToken_MakesNoCall()
    {
        var invoker = new ScriptedReadInvoker();
        await using var stream = CreateClient(invoker).OpenRead(Name);

        Assert.That(async () => await stream.ReadAsync(new byte[1], new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(invoker.Started, Is.Empty);
    }

    [Test]
    public async Task Dispose_WhileTheCallRuns_CancelsIt()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(TestData.Random(4)).Hang());
        var stream = CreateClient(invoker).OpenRead(Name);
        Assert.That(await stream.ReadAsync(new byte[4]).DefaultTimeout(), Is.EqualTo(4));

        await stream.DisposeAsync();

        Assert.That(invoker.Started[0].Disposed, Is.True);
        Assert.That(invoker.Started[0].Options.CancellationToken.IsCancellationRequested, Is.True);
    }

    [Test]
    public async Task Dispose_WhileAReadWaits_EndsTheReadWithObjectDisposed()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Hang());
        var stream = CreateClient(invoker).OpenRead(Name);
        var pending = stream.ReadAsync(new byte[4]).AsTask();
        await Eventually.UntilAsync(() => invoker.Started.Count > 0, "the Read call");

        await stream.DisposeAsync();

        // It names the public stream, not the internal reader behind it.
        var error = Assert.ThrowsAsync<ObjectDisposedException>(async () => await pending.DefaultTimeout());
        Assert.That(error!.ObjectName, Is.EqualTo(typeof(ByteStreamReadStream).FullName), error.ToString());
        Assert.That(error.Message, Does.Not.Contain("Internal"));
        Assert.That(invoker.Started, Has.Count.EqualTo(1), "a disposed stream does not resume");
    }

    [Test]
    public async Task ReadAsync_ZeroLengthBuffer_WaitsForDataWithoutConsumingIt()
    {
        var data = TestData.Random(5);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().KeepAlive(2).Send(data));
        await using var stream = CreateClient(invoker).OpenRead(Name);

        var zero = await stream.ReadAsync(Memory<byte>.Empty).DefaultTimeout();
        var buffer = new byte[5];
        var n = await stream.ReadAsync(buffer).DefaultTimeout();

        Assert.That(zero, Is.Zero);
        Assert.That(n, Is.EqualTo(5));
        Assert.That(buffer, Is.EqualTo(data));
    }

    [Test]
    public async Task OpenRead_WithHeaders_SendsThemOnEveryAttempt()
    {
        var data = TestData.Random(10);
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(data.AsMemory(0, 3)).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Send(data.AsMemory(3)));
        var headers = new Metadata { { "x-test", "yes" } };
        await using var stream = CreateClient(invoker).OpenRead(Name, new DownloadOptions { Headers = headers });
        var destination = new MemoryStream();

        await stream.CopyToAsync(destination).DefaultTimeout();

        Assert.That(destination.ToArray(), Is.EqualTo(data));
        Assert.That(invoker.Started.Select(c => c.Options.Headers?.GetValue("x-test")), Is.EqualTo(new[] { "yes", "yes", "yes" }));
    }

    [Test]
    public async Task DownloadAsync_WithProgress_ReportsBytesAndTotal()
    {
        var data = TestData.Random(20);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().SendChunked(data, 8));
        var reports = new List<TransferProgress>();

        await CreateClient(invoker).DownloadAsync(TestData.BlobName(data), new MemoryStream(),
            new DownloadOptions { Progress = new SynchronousProgress(reports) }).DefaultTimeout();

        Assert.That(reports, Is.EqualTo(new[] { new TransferProgress(8, 20), new TransferProgress(16, 20), new TransferProgress(20, 20) }));
    }

    [Test]
    public async Task ReadAllBytesAsync_UnknownLength_JoinsTheChunks()
    {
        var data = TestData.Random(50);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().SendChunked(data, 7).Fail(StatusCode.Unavailable), new ScriptedReadCall());

        var bytes = await CreateClient(invoker).ReadAllBytesAsync(Name).DefaultTimeout();

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(invoker.Started[1].Request!.ReadOffset, Is.EqualTo(50));
    }

    [Test]
    public async Task Read_Sync_ResumesLikeReadAsync()
    {
        var data = TestData.Random(40);
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(data.AsMemory(0, 15)).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Send(data.AsMemory(15)));
        await using var stream = CreateClient(invoker).OpenRead(Name);
        var destination = new MemoryStream();

        stream.CopyTo(destination);

        Assert.That(destination.ToArray(), Is.EqualTo(data));
        Assert.That(stream.Position, Is.EqualTo(40));
    }

    /// <summary>Records reports on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SynchronousProgress(List<TransferProgress> reports) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => reports.Add(value);
    }
}
