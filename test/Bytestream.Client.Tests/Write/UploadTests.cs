using Bytestream.Testing;

namespace Bytestream.Client.Tests.Write;

/// <summary>Uploads without faults: every path round trips, and the wire follows the protocol.</summary>
public class UploadTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    private static readonly int[] Sizes = [0, 1, Chunk - 1, Chunk, Chunk + 1, (3 * Chunk) + 5];

    public enum Source
    {
        Memory,
        SeekableStream,
        NonSeekableStream,
        WriteStream,
    }

    [Test]
    public async Task UploadAsync_EverySourceAndSize_StoresIdenticalBytes(
        [Values] Source source, [ValueSource(nameof(Sizes))] int size)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(size, seed: size);
        var name = $"blobs/{source}/{size}";

        var result = await UploadAsync(client, source, name, data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(StoredResource(name)), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(result, Is.EqualTo(new UploadResult(size, size, 0)));
        });
    }

    [Test]
    public async Task UploadAsync_SeekableStreamNotAtStart_UploadsFromCurrentPosition()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(3 * Chunk);
        using var source = new MemoryStream(data) { Position = 1000 };

        var result = await client.UploadAsync("blobs/tail", source).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(StoredResource("blobs/tail"), Is.EqualTo(data[1000..]));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length - 1000));
            Assert.That(source.Position, Is.EqualTo(data.Length));
        });
    }

    [Test]
    public async Task UploadAsync_EveryRequest_CarriesResourceNameAndContiguousOffsetsAndFinishesLast([Values] Source source)
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random((4 * Chunk) + 17);

        await UploadAsync(client, source, "blobs/wire", data).DefaultTimeout();

        var requests = Server.WriteRequests;
        Assert.That(requests, Is.Not.Empty);
        long expectedOffset = 0;
        foreach (var request in requests)
        {
            Assert.That(request.ResourceName, Is.EqualTo("blobs/wire"));
            Assert.That(request.WriteOffset, Is.EqualTo(expectedOffset));
            Assert.That(request.DataLength, Is.LessThanOrEqualTo(Chunk));
            expectedOffset += request.DataLength;
        }

        Assert.Multiple(() =>
        {
            Assert.That(expectedOffset, Is.EqualTo(data.Length));
            Assert.That(requests.Count(r => r.FinishWrite), Is.EqualTo(1));
            Assert.That(requests[^1].FinishWrite, Is.True);
        });
    }

    [Test]
    public async Task UploadAsync_WithoutFaults_MakesOneWriteCallAndNoQueryWriteStatus()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);

        await client.UploadAsync("blobs/one-call", TestData.Random(5 * Chunk)).DefaultTimeout();

        Assert.That(Server.Calls.Select(c => c.Method), Is.EqualTo(new[] { ByteStreamMethod.Write }));
    }

    [Test]
    public async Task UploadAsync_Progress_ReportsRisingBytesUpToTheTotal()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var reports = new List<TransferProgress>();
        var progress = new SynchronousProgress(reports.Add);

        await client.UploadAsync("blobs/progress", TestData.Random((2 * Chunk) + 3), new UploadOptions { Progress = progress }).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(reports.Select(r => r.BytesTransferred), Is.Ordered.Ascending);
            Assert.That(reports[^1], Is.EqualTo(new TransferProgress((2 * Chunk) + 3, (2 * Chunk) + 3)));
        });
    }

    [Test]
    public async Task UploadAsync_ReapiUploadName_InfersLengthAndStoresTheBlob()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(Chunk + 9);
        var blob = new BlobResourceName("inst/a", TestData.Sha256(data), data.Length);

        var result = await client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(StoredResource(blob.ToReadResourceName())), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public void UploadAsync_ReapiUploadNameWithOtherSize_ThrowsArgumentExceptionBeforeAnyCall()
    {
        var client = CreateClient();
        var blob = new BlobResourceName("", new string('a', 64), 10);

        Assert.ThrowsAsync<ArgumentException>(() => client.UploadAsync(blob.ToUploadResourceName(Guid.NewGuid()), new byte[9]));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public async Task QueryWriteStatusAsync_PartialAndCompleteUploads_ReportsTheServersState()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var stream = client.OpenWrite("blobs/partial");
        await stream.WriteAsync(TestData.Random(Chunk + 1)).AsTask().DefaultTimeout();
        await stream.FlushAsync().DefaultTimeout();
        await client.UploadAsync("blobs/done", TestData.Random(10)).DefaultTimeout();

        var partial = await client.QueryWriteStatusAsync("blobs/partial").DefaultTimeout();
        var done = await client.QueryWriteStatusAsync("blobs/done").DefaultTimeout();
        stream.Abort();

        Assert.Multiple(() =>
        {
            Assert.That(partial, Is.EqualTo(new WriteStatus(Chunk + 1, false)));
            Assert.That(done, Is.EqualTo(new WriteStatus(10, true)));
        });
    }

    [Test]
    public void QueryWriteStatusAsync_UnknownResource_ThrowsTheServersNotFound()
    {
        var client = CreateClient();

        var error = Assert.ThrowsAsync<Grpc.Core.RpcException>(() => client.QueryWriteStatusAsync("blobs/never-written"));

        Assert.That(error!.StatusCode, Is.EqualTo(Grpc.Core.StatusCode.NotFound));
    }

    internal static async Task<UploadResult> UploadAsync(ByteStreamClient client, Source source, string name, byte[] data, UploadOptions? options = null, CancellationToken cancellationToken = default)
    {
        switch (source)
        {
            case Source.Memory:
                return await client.UploadAsync(name, data, options, cancellationToken);
            case Source.SeekableStream:
                using (var stream = new MemoryStream(data))
                {
                    return await client.UploadAsync(name, stream, options, cancellationToken);
                }

            case Source.NonSeekableStream:
                using (var stream = new ForwardOnlyReadStream(data))
                {
                    return await client.UploadAsync(name, stream, options, cancellationToken);
                }

            default:
                var remote = client.OpenWrite(name, options);
                try
                {
                    // Odd-sized writes, so chunks fill across several calls.
                    for (var offset = 0; offset < data.Length; offset += 10_007)
                    {
                        await remote.WriteAsync(data.AsMemory(offset, Math.Min(10_007, data.Length - offset)), cancellationToken);
                    }

                    return await remote.CompleteAsync(cancellationToken);
                }
                catch
                {
                    // Abort first, so disposal does not replace the error the test looks at.
                    remote.Abort();
                    throw;
                }
                finally
                {
                    await remote.DisposeAsync();
                }
        }
    }

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, so tests see every report in order.</summary>
    internal sealed class SynchronousProgress(Action<TransferProgress> report) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => report(value);
    }
}
