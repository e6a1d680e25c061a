using Bytestream.Client.Tests.Infrastructure;
using Grpc.Core;
using ZstdSharp;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>Compressed reads against scripted servers: resumes at the uncompressed offset, and servers whose zstd cannot be trusted.</summary>
public class CompressedReadScriptedTests
{
    private const int Size = 300_000;
    private const int Cut = 120_000;

    private static readonly byte[] Data = ZstdCodecTests.Data(Size, compressible: true);
    private static readonly string Name = $"ci/compressed-blobs/zstd/{TestData.Sha256(Data)}/{Size}";

    private static ByteStreamClient CreateClient(ScriptedReadInvoker invoker) =>
        new(invoker, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

    private static byte[] Frame(ReadOnlySpan<byte> data)
    {
        using var compressor = new Compressor(3);
        return compressor.Wrap(data).ToArray();
    }

    [Test]
    public async Task DownloadAsync_CutAfterAFrame_ResumesAtTheUncompressedOffsetWithAFreshStream()
    {
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().SendChunked(Frame(Data.AsSpan(0, Cut)), 7000).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().SendChunked(Frame(Data.AsSpan(Cut)), 5000));
        var destination = new MemoryStream();

        var count = await CreateClient(invoker).DownloadAsync(Name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(Data)));
        Assert.That(invoker.Started.Select(s => (s.Request!.ReadOffset, s.Request.ReadLimit)), Is.EqualTo(new[] { (0L, 0L), ((long)Cut, 0L) }));
    }

    [Test]
    public void DownloadAsync_ResumedReadSendsTheWholeBlobAgain_ThrowsBeforeHandingOutAByteOfIt()
    {
        var invoker = new ScriptedReadInvoker(
            new ScriptedReadCall().Send(Frame(Data.AsSpan(0, Cut))).Fail(StatusCode.Unavailable),
            new ScriptedReadCall().Send(Frame(Data)));
        var destination = new MemoryStream();

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).DownloadAsync(Name, destination).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain("ignored read_offset"));
        Assert.That(destination.Length, Is.EqualTo(Cut), "nothing of the second call reached the destination");
    }

    [Test]
    public void ReadAllBytesAsync_StreamEndsInsideAFrame_Throws()
    {
        var frame = Frame(Data);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(frame.AsMemory(0, frame.Length - 100)));

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).ReadAllBytesAsync(Name).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain("truncated").Or.Contain("ended after"));
    }

    [Test]
    public void ReadAllBytesAsync_NotZstd_Throws()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(Data));

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).ReadAllBytesAsync(Name).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain("does not decode"));
    }

    [Test]
    public void ReadAllBytesAsync_DecodesToOtherData_ThrowsNamingBothDigests()
    {
        var other = TestData.Random(Size);
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().SendChunked(Frame(other), 64 * 1024));

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).ReadAllBytesAsync(Name).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain(TestData.Sha256(other)).And.Contain(TestData.Sha256(Data)));
    }

    [Test]
    public void ReadAllBytesAsync_DecodesToMore_ThrowsAtTheSize()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(Frame(Data)).Send(Frame(Data)));

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient(invoker).ReadAllBytesAsync(Name).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain("more than"));
    }

    [Test]
    public async Task OpenRead_ConcatenatedFrames_ReadAsOneBlob()
    {
        var invoker = new ScriptedReadInvoker(new ScriptedReadCall().Send(Frame(Data.AsSpan(0, 1000))).Send(Frame(Data.AsSpan(1000))));
        await using var stream = CreateClient(invoker).OpenRead(Name);
        var destination = new MemoryStream();

        await stream.CopyToAsync(destination).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(Data)));
        Assert.That(stream.Position, Is.EqualTo(Size));
    }
}
