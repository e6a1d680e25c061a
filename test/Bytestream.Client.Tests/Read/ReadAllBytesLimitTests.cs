using Bytestream.Client.Tests.Reliability;
using Bytestream.Testing;

namespace Bytestream.Client.Tests.Read;

/// <summary>
/// ReadAllBytesAsync of a resource over 2 GiB whose length is not known: it used to grow a buffer by
/// doubling and copying (4 GiB allocated, 4.2 GB peak) before the documented exception.
/// </summary>
[Category("Large")]
public class ReadAllBytesLimitTests
{
    [Test]
    public async Task ReadAllBytesAsync_UnknownLengthOverArrayMaxLength_StopsHoldingNoMoreThanThat()
    {
        // A discarding server keeps only the size and serves zeros, so only the client holds the bytes.
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { DiscardData = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel);
        const long size = (long)int.MaxValue + (8 << 20);
        await client.UploadAsync("large/unknown-length", new PatternStream(size), new UploadOptions { ExpectedLength = size }).WaitAsync(TimeSpan.FromMinutes(2));

        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.ThrowsAsync<InvalidOperationException>(() => client.ReadAllBytesAsync("large/unknown-length").WaitAsync(TimeSpan.FromMinutes(2)));
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain("too many for one byte array: use DownloadAsync or OpenRead"));
            Assert.That(allocated, Is.LessThan(Array.MaxLength + (256L << 20)), "the bytes held, plus the read's own small change");
        });
    }
}
