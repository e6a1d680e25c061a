using Bytestream.Client.Tests.Infrastructure;

namespace Bytestream.Client.Tests.Read;

/// <summary>Reads without faults: every size around the chunk boundary, offsets and limits, concurrency.</summary>
public class ReadRoundTripTests : ReadServerTestBase
{
    private static readonly int[] Sizes = [0, 1, Chunk - 1, Chunk, Chunk + 1, (5 * 1024 * 1024) + 3];

    [TestCaseSource(nameof(Sizes))]
    public async Task DownloadAsync_ReapiName_WritesEveryByte(int size)
    {
        var (name, data) = AddBlob(size);
        var destination = new MemoryStream();

        var count = await CreateClient().DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls, Has.Count.EqualTo(1));
    }

    [TestCaseSource(nameof(Sizes))]
    public async Task ReadAllBytesAsync_PlainName_ReturnsEveryByte(int size)
    {
        var (name, data) = AddResource(size);

        var bytes = await CreateClient().ReadAllBytesAsync(name).DefaultTimeout();

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
    }

    [TestCaseSource(nameof(Sizes))]
    public async Task ReadAllBytesAsync_ReapiName_ReturnsEveryByte(int size)
    {
        var (name, data) = AddBlob(size);

        var bytes = await CreateClient().ReadAllBytesAsync(name).DefaultTimeout();

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
    }

    [TestCaseSource(nameof(Sizes))]
    public async Task OpenRead_CopyToAsync_ReturnsEveryByte(int size)
    {
        var (name, data) = AddResource(size);
        await using var stream = CreateClient().OpenRead(name);
        var destination = new MemoryStream();

        await stream.CopyToAsync(destination).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(stream.Position, Is.EqualTo(size));
    }

    [TestCase(1000)]
    [TestCase(4096)]
    [TestCase(Chunk + 7)]
    public async Task OpenRead_ReadAsyncWithAnyBufferSize_PositionCountsEveryByte(int bufferSize)
    {
        var (name, data) = AddBlob((3 * Chunk) + 11);
        await using var stream = CreateClient().OpenRead(name);
        var destination = new MemoryStream();
        var buffer = new byte[bufferSize];

        int n;
        while ((n = await stream.ReadAsync(buffer).DefaultTimeout()) > 0)
        {
            destination.Write(buffer, 0, n);
            Assert.That(stream.Position, Is.EqualTo(destination.Length));
        }

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public void OpenRead_BeforeTheFirstRead_MakesNoCall()
    {
        var (name, _) = AddBlob(10);

        using var stream = CreateClient().OpenRead(name);

        Assert.That(CallsStarted, Is.Zero);
        Assert.That(stream.ResourceName, Is.EqualTo(name));
        Assert.That(stream.Position, Is.Zero);
    }

    [TestCase(0, 0)]
    [TestCase(1, 0)]
    [TestCase(Chunk, 0)]
    [TestCase(Chunk - 1, 2)]
    [TestCase(100, Chunk * 2)]
    [TestCase((3 * Chunk) + 10, 0)]
    [TestCase((3 * Chunk) + 10, 1)]
    [TestCase(5, 1_000_000)]
    public async Task DownloadAsync_OffsetAndLimit_WritesThatRange(int offset, int limit)
    {
        var (name, data) = AddBlob((3 * Chunk) + 10);
        var destination = new MemoryStream();

        var count = await CreateClient(out var recorder).DownloadAsync(name, destination, new DownloadOptions { Offset = offset, Limit = limit }).DefaultTimeout();

        var expected = data.AsSpan(offset, limit == 0 ? data.Length - offset : Math.Min(limit, data.Length - offset)).ToArray();
        Assert.That(count, Is.EqualTo(expected.Length));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(expected)));
        Assert.That(recorder.OffsetsAndLimits, Is.EqualTo(new[] { ((long)offset, (long)limit) }));
    }

    [TestCase(0, 0)]
    [TestCase(10, 0)]
    [TestCase(Chunk + 1, Chunk)]
    public async Task OpenRead_OffsetAndLimit_StartsPositionAtTheOffset(int offset, int limit)
    {
        var (name, data) = AddResource((2 * Chunk) + 10);
        await using var stream = CreateClient().OpenRead(name, offset, limit);
        Assert.That(stream.Position, Is.EqualTo(offset));
        var destination = new MemoryStream();

        await stream.CopyToAsync(destination).DefaultTimeout();

        var length = limit == 0 ? data.Length - offset : limit;
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data.AsSpan(offset, length))));
        Assert.That(stream.Position, Is.EqualTo(offset + length));
    }

    [Test]
    public async Task DownloadAsync_OffsetAtTheEnd_ReturnsZeroBytes()
    {
        var (name, _) = AddBlob(100);
        var destination = new MemoryStream();

        var count = await CreateClient().DownloadAsync(name, destination, new DownloadOptions { Offset = 100 }).DefaultTimeout();

        Assert.That(count, Is.Zero);
        Assert.That(ReadCalls.Single().Status, Is.EqualTo(Grpc.Core.StatusCode.OK));
    }

    [Test]
    public async Task DownloadAsync_SixteenConcurrentOnOneClient_AllComplete()
    {
        var client = CreateClient();
        var blobs = Enumerable.Range(0, 16).Select(i => AddBlob((i * 37 * 1024) + i, seed: i + 100)).ToArray();
        Server.Faults.CutRead(100_000, times: 4);

        var results = await Task.WhenAll(blobs.Select(async blob =>
        {
            var destination = new MemoryStream();
            await client.DownloadAsync(blob.Name, destination);
            return destination.ToArray();
        })).DefaultTimeout();

        for (var i = 0; i < blobs.Length; i++)
        {
            Assert.That(TestData.Sha256(results[i]), Is.EqualTo(TestData.Sha256(blobs[i].Data)), $"blob {i}");
        }
    }

    [Test]
    public async Task DownloadAsync_WithProgress_ReportsDeliveredBytesAndTotal()
    {
        var (name, data) = AddBlob((2 * Chunk) + 5);
        var reports = new List<TransferProgress>();

        await CreateClient().DownloadAsync(name, new MemoryStream(), new DownloadOptions { Progress = new ListProgress(reports) }).DefaultTimeout();

        Assert.That(reports.Select(r => r.BytesTransferred), Is.EqualTo(new long[] { Chunk, 2 * Chunk, data.Length }));
        Assert.That(reports.Select(r => r.TotalBytes), Is.All.EqualTo(data.Length));
    }

    [Test]
    public void Read_SyncModes_ReturnEveryByte()
    {
        var (name, data) = AddBlob(Chunk + 100);
        using var stream = CreateClient().OpenRead(name);
        var destination = new MemoryStream();
        var first = stream.ReadByte();
        destination.WriteByte((byte)first);
        var buffer = new byte[999];
        var n = stream.Read(buffer, 0, buffer.Length);
        destination.Write(buffer, 0, n);

        stream.CopyTo(destination);

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(stream.ReadByte(), Is.EqualTo(-1));
    }

    private sealed class ListProgress(List<TransferProgress> reports) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => reports.Add(value);
    }
}
