using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>Concurrent uploads of one blob on one client share one transfer; a failure is not shared; cancelling a waiter ends only its wait.</summary>
public class SharedUploadTests : ServerTestBase
{
    private const int Size = 3 * 1024 * 1024;
    private const int Chunk = 256 * 1024;

    [Test]
    public async Task UploadAsync_SameBlobUnderAnotherUploadName_WaitsForTheFirstAndSendsNothing()
    {
        var data = TestData.Random(Size);
        var blob = BlobResourceName.Parse(TestData.BlobName(data));
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var gated = new GatedReadStream(data, Chunk);

        var first = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), gated);
        await Eventually.UntilAsync(() => WriteCalls.Count == 1, "the first upload's Write call");
        var second = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), new MemoryStream(data));
        var third = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data);
        gated.Open();
        var results = await Task.WhenAll(first, second, third).DefaultTimeout();

        Assert.That(results.Select(r => r.CommittedSize), Is.All.EqualTo(Size));
        Assert.That(results[0], Is.EqualTo(new UploadResult(Size, Size, 0)));
        Assert.That(results[1], Is.EqualTo(new UploadResult(Size, 0, 0) { Shared = true }));
        Assert.That(results[2].Shared, Is.True);
        Assert.That(WriteCalls, Has.Count.EqualTo(1), "one transfer for three callers");
        Assert.That(TestData.Sha256(StoredResource(blob.ToReadResourceName())), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task UploadAsync_SamePlainNameWithOtherBytes_NeverShares()
    {
        // A plain name says nothing about the bytes: the second caller's data must go out, not be reported shared.
        var first = TestData.Random(Size, seed: 1);
        var second = TestData.Random(Size, seed: 2);
        var client = CreateClient(o => o.ChunkSize = Chunk);
        using var cancelFirst = new CancellationTokenSource();

        var firstUpload = client.UploadAsync("plain/shared", new GatedReadStream(first, Chunk), cancellationToken: cancelFirst.Token);
        await Eventually.UntilAsync(() => WriteCalls.Count == 1, "the first upload's Write call");
        var secondResult = await client.UploadAsync("plain/shared", second).DefaultTimeout();
        cancelFirst.Cancel();

        Assert.Multiple(() =>
        {
            Assert.That(secondResult.Shared, Is.False);
            Assert.That(secondResult.BytesSent, Is.EqualTo(Size), "the second caller's bytes went out");
            Assert.That(TestData.Sha256(StoredResource("plain/shared")), Is.EqualTo(TestData.Sha256(second)));
            Assert.That(WriteCalls, Has.Count.EqualTo(2));
            Assert.CatchAsync<OperationCanceledException>(() => firstUpload.DefaultTimeout());
        });
    }

    [Test]
    public async Task UploadAsync_FirstFails_TheWaiterUploadsItsOwnData()
    {
        var data = TestData.Random(Size);
        var blob = BlobResourceName.Parse(TestData.BlobName(data));
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var gated = new GatedReadStream(data, Chunk);
        Server.Faults.CutWrite(2 * Chunk, StatusCode.PermissionDenied);

        var first = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), gated);
        await Eventually.UntilAsync(() => WriteCalls.Count == 1, "the first upload's Write call");
        var second = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data);
        gated.Open();

        var error = Assert.ThrowsAsync<RpcException>(() => first.DefaultTimeout());
        var result = await second.DefaultTimeout();

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.PermissionDenied));
        Assert.That(result, Is.EqualTo(new UploadResult(Size, Size, 0)), "the waiter sent its own bytes");
        Assert.That(WriteCalls, Has.Count.EqualTo(2));
        Assert.That(TestData.Sha256(StoredResource(blob.ToReadResourceName())), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task UploadAsync_WaiterCancels_OnlyItsWaitEnds()
    {
        var data = TestData.Random(Size);
        var blob = BlobResourceName.Parse(TestData.BlobName(data));
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var gated = new GatedReadStream(data, Chunk);
        using var cancel = new CancellationTokenSource();

        var first = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), gated);
        await Eventually.UntilAsync(() => WriteCalls.Count == 1, "the first upload's Write call");
        var second = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data, cancellationToken: cancel.Token);
        await cancel.CancelAsync();

        Assert.That(async () => await second.DefaultTimeout(), Throws.InstanceOf<OperationCanceledException>());
        gated.Open();
        Assert.That((await first.DefaultTimeout()).CommittedSize, Is.EqualTo(Size));
        Assert.That(WriteCalls, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task UploadAsync_SharingOff_EveryCallUploads()
    {
        var data = TestData.Random(Size);
        var blob = BlobResourceName.Parse(TestData.BlobName(data));
        var client = CreateClient(o =>
        {
            o.ChunkSize = Chunk;
            o.ShareConcurrentUploads = false;
        });
        var gated = new GatedReadStream(data, Chunk);

        var first = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), gated);
        await Eventually.UntilAsync(() => WriteCalls.Count == 1, "the first upload's Write call");
        var second = client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data);
        await second.DefaultTimeout();
        gated.Open();
        await first.DefaultTimeout();

        Assert.That(WriteCalls, Has.Count.EqualTo(2));
        Assert.That((await second).Shared, Is.False);
    }

    [Test]
    public async Task UploadAsync_OneAfterTheOther_BothUpload()
    {
        var data = TestData.Random(1000);
        var blob = BlobResourceName.Parse(TestData.BlobName(data));
        var client = CreateClient();

        await client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data).DefaultTimeout();
        var again = await client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data).DefaultTimeout();

        Assert.That(again.Shared, Is.False, "only uploads in flight are shared; nothing is cached");
        Assert.That(WriteCalls, Has.Count.EqualTo(2));
    }

    private List<ByteStreamCallRecord> WriteCalls => [.. Server.Calls.Where(c => c.Method == ByteStreamMethod.Write)];
}
