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
}
