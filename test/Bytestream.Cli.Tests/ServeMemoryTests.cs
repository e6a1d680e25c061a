using System.Security.Cryptography;
using Bytestream.Client;

namespace Bytestream.Cli.Tests;

/// <summary>
/// <c>serve</c> decodes a zstd upload into its storage directory as the bytes arrive: a blob twice the size of its heap
/// goes through, where holding the decoded blob in memory ran out of it (issue 22).
/// </summary>
[Category("Large")]
public class ServeMemoryTests
{
    private const long Size = 1L << 30;

    // 512 MiB of managed heap, as a small container would give the server.
    private static readonly Dictionary<string, string> HeapLimit = new() { ["DOTNET_GCHeapHardLimit"] = "0x20000000" };

    private static readonly TimeSpan TransferTimeout = TimeSpan.FromMinutes(5);

    private DirectoryInfo _root = null!;

    [SetUp]
    public void CreateDirectory() => _root = Directory.CreateTempSubdirectory("bytestream-serve-memory-");

    [TearDown]
    public void DeleteDirectory() => _root.Delete(recursive: true);

    [Test]
    public async Task CompressedUpload_OfOneGiB_UnderA512MiBHeapLimit_IsStoredAndReadsBackWhole()
    {
        using var serve = await ServeProcess.StartAsync(HeapLimit, "--port", "0", "--root", _root.FullName);
        var blob = new BlobResourceName("", await Sha256Async(new TextLikeStream(Size)), Size);
        using var channel = ByteStreamChannel.ForAddress(serve.Address);
        var client = new ByteStreamClient(channel);

        var result = await client.UploadAsync(
            blob.ToUploadResourceName(Guid.NewGuid()), new TextLikeStream(Size), new UploadOptions { Compression = BlobCompression.Zstd }).WaitAsync(TransferTimeout);
        await using var read = client.OpenRead(blob.ToReadResourceName());
        var readBack = await Sha256Async(read).WaitAsync(TransferTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(result.CompressedSize, Is.LessThan(Size / 2), "the upload went compressed");
            Assert.That(result.CommittedSize, Is.EqualTo(Size));
            Assert.That(readBack, Is.EqualTo(blob.Hash));
        });
        TestContext.Out.WriteLine($"serve's peak RSS: {PeakRss(serve.Program.Id)}");
    }

    private static async Task<string> Sha256Async(Stream stream)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1024 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string PeakRss(int processId) =>
        File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown";
}
