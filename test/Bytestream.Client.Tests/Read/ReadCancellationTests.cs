using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Read;

/// <summary>Cancellation by the caller and disposal of the stream: the server's call ends, nothing is retried.</summary>
public class ReadCancellationTests : ReadServerTestBase
{
    // Larger than the HTTP/2 receive windows, so the server is still sending when the client lets go.
    private const int Size = 64 * 1024 * 1024;

    [Test]
    public async Task DownloadAsync_CallerCancelsMidway_ThrowsOperationCanceledAndIsNotRetried()
    {
        var (name, _) = AddBlob(Size);
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 3 * Chunk);
        using var cts = new CancellationTokenSource();
        var progress = new CancelAt(2 * Chunk, cts);

        var download = CreateClient().DownloadAsync(name, new MemoryStream(), new DownloadOptions { Progress = progress }, cts.Token);

        Assert.That(async () => await download.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
        await ReadCalls[0].Ended.DefaultTimeout();
        Assert.That(ReadCalls[0].Status, Is.EqualTo(StatusCode.Cancelled));
    }

    [Test]
    public async Task ReadAsync_CallerCancelsAStalledRead_ThrowsOperationCanceledNotRpcException()
    {
        var (name, _) = AddBlob(Size);
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: 0);
        await using var stream = CreateClient().OpenRead(name);
        using var cts = new CancellationTokenSource();

        var read = stream.ReadAsync(new byte[100], cts.Token).AsTask();
        await WaitForReadCallAsync();
        await cts.CancelAsync();

        var ex = Assert.CatchAsync(async () => await read.DefaultTimeout());
        Assert.That(ex, Is.InstanceOf<OperationCanceledException>());
        await ReadCalls[0].Ended.DefaultTimeout();
        Assert.That(ReadCalls[0].Status, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public void DownloadAsync_AlreadyCancelledToken_MakesNoCall()
    {
        var (name, _) = AddBlob(100);

        Assert.That(async () => await CreateClient().DownloadAsync(name, new MemoryStream(), cancellationToken: new CancellationToken(canceled: true)).DefaultTimeout(),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public async Task Dispose_WhileTheServerIsStillSending_CancelsTheServerCall()
    {
        var (name, data) = AddBlob(Size);
        var stream = CreateClient().OpenRead(name);
        var first = new byte[1000];
        var n = await stream.ReadAsync(first).DefaultTimeout();

        await stream.DisposeAsync();

        Assert.That(first.AsSpan(0, n).SequenceEqual(data.AsSpan(0, n)), Is.True);
        await ReadCalls[0].Ended.DefaultTimeout();
        Assert.That(ReadCalls[0].Status, Is.EqualTo(StatusCode.Cancelled));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Dispose_Twice_IsHarmlessAndLaterReadsThrowObjectDisposed()
    {
        var (name, _) = AddBlob(100);
        var stream = CreateClient().OpenRead(name);
        Assert.That(await stream.ReadAsync(new byte[10]).DefaultTimeout(), Is.EqualTo(10));

        stream.Dispose();
        await stream.DisposeAsync();

        Assert.ThrowsAsync<ObjectDisposedException>(() => stream.ReadAsync(new byte[10]).AsTask());
        Assert.Throws<ObjectDisposedException>(() => stream.ReadByte());
        Assert.That(stream.CanRead, Is.False);
    }

    private Task WaitForReadCallAsync() => Eventually.UntilAsync(() => ReadCalls.Count > 0, "the Read call");

    /// <summary>Cancels the download from inside its progress report, once enough bytes arrived.</summary>
    private sealed class CancelAt(long bytes, CancellationTokenSource cts) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            if (value.BytesTransferred >= bytes)
            {
                cts.Cancel();
            }
        }
    }
}
