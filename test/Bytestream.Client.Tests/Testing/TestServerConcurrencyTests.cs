using Grpc.Core;

namespace Bytestream.Client.Tests.Testing;

/// <summary>Many transfers at once: the server's state and its faults stay consistent.</summary>
public class TestServerConcurrencyTests : TestServerFixture
{
    [Test]
    public async Task WriteAndRead_64ParallelTransfers_EveryResourceRoundTrips()
    {
        var payloads = Enumerable.Range(0, 64).Select(i => TestData.Random((4 * Chunk) + i, seed: i)).ToArray();

        await Task.WhenAll(payloads.Select((data, i) => UploadAsync($"blobs/parallel-{i}", data))).DefaultTimeout();
        var reads = await Task.WhenAll(payloads.Select((_, i) => ReadAsync($"blobs/parallel-{i}"))).DefaultTimeout();

        Assert.Multiple(() =>
        {
            for (var i = 0; i < payloads.Length; i++)
            {
                Assert.That(TestData.Sha256(reads[i]), Is.EqualTo(TestData.Sha256(payloads[i])), $"resource {i}");
            }

            Assert.That(Server.Calls, Has.Count.EqualTo(128));
            Assert.That(Server.Calls.Select(c => c.CallId), Is.Unique);
        });
    }

    [Test]
    public async Task CutWrite_Times_16ParallelResumingUploads_CutExactlyThatManyCalls()
    {
        Server.Faults.CutWrite(Chunk + 1, times: 8);
        var payloads = Enumerable.Range(0, 16).Select(i => TestData.Random(3 * Chunk, seed: 100 + i)).ToArray();

        var failures = await Task.WhenAll(payloads.Select((data, i) => UploadResumingAsync($"blobs/cut-parallel-{i}", data))).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(failures.Sum(), Is.EqualTo(8));
            for (var i = 0; i < payloads.Length; i++)
            {
                Assert.That(TestData.Sha256(Stored($"blobs/cut-parallel-{i}")), Is.EqualTo(TestData.Sha256(payloads[i])), $"resource {i}");
            }
        });
    }

    private async Task<int> UploadResumingAsync(string name, byte[] data)
    {
        var failures = 0;
        long offset = 0;
        while (true)
        {
            try
            {
                await WriteAsync(Requests(name, data.AsMemory((int)offset), offset));
                return failures;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Unavailable && failures < 10)
            {
                failures++;
                offset = (await QueryAsync(name)).CommittedSize;
            }
        }
    }
}
