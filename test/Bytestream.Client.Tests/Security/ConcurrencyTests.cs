using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Security;

/// <summary>64 transfers at once on one client and one channel, through faults: every one byte-identical.</summary>
[Category("Security")]
public class ConcurrencyTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;
    private const int Transfers = 64;

    [Test]
    public async Task SixtyFourTransfers_OneClientOneChannelThroughFaults_AllByteIdentical()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var payloads = Enumerable.Range(0, Transfers).Select(i => TestData.Random((16 * Chunk) + (i * 1001), seed: 1000 + i)).ToArray();
        for (var i = 0; i < Transfers; i++)
        {
            var name = Name(i);
            if (i % 2 == 1)
            {
                Server.SetResource(name, payloads[i]);
                if (i % 4 == 1)
                {
                    Server.Faults.CutRead(afterBytes: 5 * Chunk, resourceName: name);
                    Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable, resourceName: name);
                }
            }
            else if (i % 4 == 0)
            {
                Server.Faults.CutWrite(afterBytes: 6 * Chunk, resourceName: name);
                Server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.Unavailable, resourceName: name);
            }
        }

        var results = await Task.WhenAll(Enumerable.Range(0, Transfers).Select(i => TransferAsync(client, i, payloads[i])))
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Multiple(() =>
        {
            for (var i = 0; i < Transfers; i++)
            {
                var bytes = i % 2 == 1 ? results[i] : StoredResource(Name(i));
                Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(payloads[i])), $"transfer {i}");
            }

            Assert.That(Server.Calls.Count(c => c.Status is { } s && s != StatusCode.OK), Is.GreaterThanOrEqualTo(3 * Transfers / 4), "the faults fired");
        });
    }

    private static string Name(int i) => $"concurrent/{i}";

    /// <summary>Even transfers upload (four ways), odd ones download (three ways); downloads return their bytes.</summary>
    private static async Task<byte[]> TransferAsync(ByteStreamClient client, int i, byte[] data)
    {
        var name = Name(i);
        switch (i % 2 == 0 ? (i / 2) % 4 : 4 + ((i / 2) % 3))
        {
            case 0:
                await client.UploadAsync(name, data);
                return [];
            case 1:
                await client.UploadAsync(name, new MemoryStream(data));
                return [];
            case 2:
                await client.UploadAsync(name, new ForwardOnlyReadStream(data));
                return [];
            case 3:
                await using (var stream = client.OpenWrite(name))
                {
                    await stream.WriteAsync(data);
                    await stream.CompleteAsync();
                }

                return [];
            case 4:
                var destination = new MemoryStream();
                await client.DownloadAsync(name, destination);
                return destination.ToArray();
            case 5:
                var copy = new MemoryStream();
                await using (var read = client.OpenRead(name))
                {
                    await read.CopyToAsync(copy);
                }

                return copy.ToArray();
            default:
                return await client.ReadAllBytesAsync(name);
        }
    }
}
