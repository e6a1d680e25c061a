using Bytestream.Testing;

namespace Bytestream.Client.Tests.Testing;

/// <summary>DiscardData: the benchmark server keeps sizes, drops bytes and serves zeros, with the protocol unchanged.</summary>
public class TestServerDiscardDataTests
{
    [Test]
    public async Task DiscardData_UploadThenRead_KeepsTheSizeAndReadsZeros()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { DiscardData = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = 1000 });
        server.Faults.CutWrite(afterBytes: 2500);

        var result = await client.UploadAsync("bench/x", TestData.Random(10_000)).DefaultTimeout();
        var status = await client.QueryWriteStatusAsync("bench/x").DefaultTimeout();
        var back = await client.ReadAllBytesAsync("bench/x").DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(result.Resumes, Is.EqualTo(1));
            Assert.That(status, Is.EqualTo(new WriteStatus(10_000, true)));
            Assert.That(back, Is.EqualTo(new byte[10_000]));
        });
    }

    [Test]
    public async Task DiscardData_SetResource_KeepsItsBytes()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { DiscardData = true }).DefaultTimeout();
        var data = TestData.Random(3000);

        server.SetResource("given", data);

        Assert.That(server.TryGetResource("given", out var stored) ? stored : null, Is.EqualTo(data));
    }

    [Test]
    public void DiscardData_WithStorageDirectory_Throws()
    {
        var options = new ByteStreamTestServerOptions { DiscardData = true, StorageDirectory = Path.GetTempPath() };

        Assert.ThrowsAsync<ArgumentException>(() => ByteStreamTestServer.StartAsync(options));
    }
}
