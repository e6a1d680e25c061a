using System.Security.Cryptography;
using Bytestream.Client.Internal;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>Names from content: one hashing pass over a stream or a file, with the digest function asked for.</summary>
public class ComputeNameTests
{
    [TestCase(0)]
    [TestCase(1)]
    [TestCase((3 * 1024 * 1024) + 5)]
    public async Task ComputeAsync_Sha256ByDefault_NamesTheContent(int size)
    {
        var data = TestData.Random(size);

        var name = await BlobResourceName.ComputeAsync("main", new MemoryStream(data)).DefaultTimeout();

        Assert.That(name, Is.EqualTo(new BlobResourceName("main", TestData.Sha256(data), size)));
        Assert.That(name.ToReadResourceName(), Is.EqualTo(TestData.BlobName(data, "main")));
    }

    [Test]
    public async Task ComputeAsync_FromTheCurrentPosition_HashesTheRest()
    {
        var data = TestData.Random(1000);
        var stream = new MemoryStream(data) { Position = 100 };

        var name = await BlobResourceName.ComputeAsync("", stream).DefaultTimeout();

        Assert.That(name.Hash, Is.EqualTo(TestData.Sha256(data.AsSpan(100))));
        Assert.That(name.Size, Is.EqualTo(900));
        Assert.That(stream.Position, Is.EqualTo(1000));
    }

    [TestCase("blake3")]
    [TestCase("BLAKE3")]
    public async Task ComputeAsync_Blake3_WritesTheDigestFunctionSegment(string digestFunction)
    {
        var data = TestData.Random(5000);

        var name = await BlobResourceName.ComputeAsync("ci", new MemoryStream(data), digestFunction).DefaultTimeout();

        Assert.That(name.DigestFunction, Is.EqualTo("blake3"));
        Assert.That(name.Hash, Is.EqualTo(Blake3.Hasher.Hash(data).ToString()));
        Assert.That(name.ToReadResourceName(), Does.StartWith("ci/blobs/blake3/"));
    }

    [TestCase("sha1")]
    [TestCase("md5")]
    [TestCase("sha384")]
    [TestCase("sha512")]
    public async Task ComputeAsync_ClassicFunction_OmitsTheSegment(string function)
    {
        var data = TestData.Random(77);
        using var algorithm = IncrementalHash.CreateHash(new HashAlgorithmName(function.ToUpperInvariant()));
        algorithm.AppendData(data);

        var name = await BlobResourceName.ComputeAsync("", new MemoryStream(data), function).DefaultTimeout();

        Assert.That(name.DigestFunction, Is.Null);
        Assert.That(name.Hash, Is.EqualTo(Convert.ToHexStringLower(algorithm.GetHashAndReset())));
    }

    [TestCase("sha256tree")]
    [TestCase("vso")]
    [TestCase("md6")]
    public void ComputeAsync_FunctionNotComputed_ThrowsNotSupported(string function)
    {
        var error = Assert.ThrowsAsync<NotSupportedException>(() => BlobResourceName.ComputeAsync("", new MemoryStream([1]), function));

        Assert.That(error!.Message, Does.Contain(function).And.Contain("blake3"));
    }

    [Test]
    public void ComputeAsync_BadInstanceName_ThrowsArgumentException() =>
        Assert.ThrowsAsync<ArgumentException>(() => BlobResourceName.ComputeAsync("a/blobs", new MemoryStream()));

    [Test]
    public async Task ComputeFileAsync_HashesTheFile()
    {
        var data = TestData.Random(200_000);
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(path, data);

            var name = await BlobResourceName.ComputeFileAsync("main", path).DefaultTimeout();

            Assert.That(name.ToReadResourceName(), Is.EqualTo(TestData.BlobName(data, "main")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestCase("main/blobs/00ff/2", BlobCompression.Zstd, "main/compressed-blobs/zstd/00ff/2")]
    [TestCase("blobs/00ff/2", BlobCompression.Zstd, "compressed-blobs/zstd/00ff/2")]
    [TestCase("a/b/uploads/1b4e28ba-2fa1-41d2-883f-0016d3cca427/blobs/blake3/00ff/5000/meta", BlobCompression.Auto,
        "a/b/uploads/1b4e28ba-2fa1-41d2-883f-0016d3cca427/compressed-blobs/zstd/blake3/00ff/5000/meta")]
    [TestCase("main/blobs/00ff/2", BlobCompression.Auto, null)]
    [TestCase("main/blobs/00ff/2", BlobCompression.None, null)]
    [TestCase("main/compressed-blobs/zstd/00ff/5000", BlobCompression.Zstd, null)]
    [TestCase("plain/resource", BlobCompression.Zstd, null)]
    public void Choose_MapsPlainBlobNamesOnly(string name, BlobCompression compression, string? expected) =>
        Assert.That(CompressedNames.Choose(name, compression, threshold: 4096, serverLacksCompression: false), Is.EqualTo(expected));

    [TestCase("main/uploads/1b4e28ba-2fa1-41d2-883f-0016d3cca427/compressed-blobs/zstd/00ff/5000")]
    [TestCase("a/b/uploads/1b4e28ba-2fa1-41d2-883f-0016d3cca427/compressed-blobs/zstd/blake3/00ff/5000/meta")]
    [TestCase("uploads/1b4e28ba-2fa1-41d2-883f-0016d3cca427/compressed-blobs/zstd/00ff/5000")]
    public void WithNewUploadId_ChangesOnlyTheUploadId(string name)
    {
        var fresh = CompressedNames.WithNewUploadId(name)!;

        var (before, after) = (name.Split('/'), fresh.Split('/'));
        var id = Array.IndexOf(before, "uploads") + 1;
        Assert.Multiple(() =>
        {
            Assert.That(after, Has.Length.EqualTo(before.Length));
            Assert.That(Guid.TryParse(after[id], out _), Is.True);
            Assert.That(after[id], Is.Not.EqualTo(before[id]));
            Assert.That(after.Where((_, i) => i != id), Is.EqualTo(before.Where((_, i) => i != id)));
            Assert.That(BlobResourceName.Parse(fresh), Is.EqualTo(BlobResourceName.Parse(name)), "the same blob");
        });
    }

    [Test]
    public void WithNewUploadId_ReadName_HasNoIdToChange() =>
        Assert.That(CompressedNames.WithNewUploadId("main/compressed-blobs/zstd/00ff/5000"), Is.Null);

    [Test]
    public void Choose_ServerWithoutCompression_KeepsThePlainName() =>
        Assert.That(CompressedNames.Choose("main/blobs/00ff/2", BlobCompression.Zstd, 0, serverLacksCompression: true), Is.Null);
}
