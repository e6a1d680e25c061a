using System.Security.Cryptography;
using Bytestream.Client.Tests.Read;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>Downloads of REAPI blobs are checked against the digest in their name, across resumes, unless the caller opts out.</summary>
public class DigestVerificationTests : ReadServerTestBase
{
    private const int Size = (3 * Chunk) + 11;

    public static IEnumerable<TestCaseData> DigestFunctions()
    {
        yield return new TestCaseData(null, (Func<byte[], byte[]>)SHA256.HashData).SetArgDisplayNames("sha256");
        yield return new TestCaseData(null, (Func<byte[], byte[]>)SHA1.HashData).SetArgDisplayNames("sha1");
        yield return new TestCaseData(null, (Func<byte[], byte[]>)MD5.HashData).SetArgDisplayNames("md5");
        yield return new TestCaseData(null, (Func<byte[], byte[]>)SHA384.HashData).SetArgDisplayNames("sha384");
        yield return new TestCaseData(null, (Func<byte[], byte[]>)SHA512.HashData).SetArgDisplayNames("sha512");
        yield return new TestCaseData("blake3", (Func<byte[], byte[]>)(d => Blake3.Hasher.Hash(d).AsSpan().ToArray())).SetArgDisplayNames("blake3");
    }

    [TestCaseSource(nameof(DigestFunctions))]
    public async Task ReadAllBytesAsync_BlobMatchesItsDigest_ReturnsTheData(string? function, Func<byte[], byte[]> hash)
    {
        var data = TestData.Random(Size);
        var name = Name(data, hash, function);
        Server.SetResource(name, data);

        var bytes = await CreateClient().ReadAllBytesAsync(name).DefaultTimeout();

        Assert.That(TestData.Sha256(bytes), Is.EqualTo(TestData.Sha256(data)));
    }

    [TestCaseSource(nameof(DigestFunctions))]
    public void ReadAllBytesAsync_CorruptBlob_ThrowsNamingBothDigests(string? function, Func<byte[], byte[]> hash)
    {
        var data = TestData.Random(Size);
        var name = Name(data, hash, function);
        var corrupt = (byte[])data.Clone();
        corrupt[Chunk + 5] ^= 0x40;
        Server.SetResource(name, corrupt);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().ReadAllBytesAsync(name).DefaultTimeout());

        var actual = Convert.ToHexStringLower(hash(corrupt));
        Assert.That(error!.Message, Does.Contain(Convert.ToHexStringLower(hash(data))).And.Contain(actual).And.Contain("does not match its digest"));
        Assert.That(error.ResourceName, Is.EqualTo(name));
    }

    [Test]
    public void DownloadAsync_CorruptBlobCutTwice_ThrowsAfterTheResumes()
    {
        var (name, corrupt) = AddCorruptBlob();
        Server.Faults.CutRead(Chunk, times: 2);

        Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().DownloadAsync(name, new MemoryStream()).DefaultTimeout());
        Assert.That(ReadCalls, Has.Count.EqualTo(3), "the read resumed twice before the check");
        Assert.That(corrupt, Has.Length.EqualTo(Size));
    }

    [Test]
    public async Task DownloadAsync_GoodBlobCutTwice_HashesAcrossTheResumes()
    {
        var (name, data) = AddBlob(Size);
        Server.Faults.CutRead(Chunk + 100, times: 2);
        var destination = new MemoryStream();

        var count = await CreateClient().DownloadAsync(name, destination).DefaultTimeout();

        Assert.That(count, Is.EqualTo(Size));
        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        Assert.That(ReadCalls, Has.Count.EqualTo(3));
    }

    [Test]
    public async Task OpenRead_CorruptBlob_ThrowsInsteadOfTheEndOfTheStream()
    {
        var (name, _) = AddCorruptBlob();
        await using var stream = CreateClient().OpenRead(name);
        var buffer = new byte[Size];
        var read = 0;

        // Every byte arrives; the read that would report the end throws instead.
        while (read < Size)
        {
            read += await stream.ReadAsync(buffer.AsMemory(read)).DefaultTimeout();
        }

        Assert.ThrowsAsync<ByteStreamException>(async () => await stream.ReadAsync(new byte[1]).DefaultTimeout());
        Assert.ThrowsAsync<ByteStreamException>(async () => await stream.ReadAsync(new byte[1]).DefaultTimeout(), "the failure stays");
    }

    [Test]
    public void OpenRead_CopyToAsyncOfACorruptBlob_Throws()
    {
        var (name, _) = AddCorruptBlob();

        Assert.ThrowsAsync<ByteStreamException>(async () =>
        {
            await using var stream = CreateClient().OpenRead(name);
            await stream.CopyToAsync(new MemoryStream()).DefaultTimeout();
        });
    }

    [Test]
    public async Task DownloadAsync_VerifyDigestOff_ReturnsTheCorruptBytes()
    {
        var (name, corrupt) = AddCorruptBlob();
        var destination = new MemoryStream();

        await CreateClient().DownloadAsync(name, destination, new DownloadOptions { VerifyDigest = false }).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(corrupt)));
    }

    [Test]
    public async Task DownloadAsync_PartOfACorruptBlob_IsNotChecked()
    {
        var (name, corrupt) = AddCorruptBlob();
        var destination = new MemoryStream();

        await CreateClient().DownloadAsync(name, destination, new DownloadOptions { Offset = 10 }).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(corrupt.AsSpan(10))));
    }

    [Test]
    public void DownloadAsync_ServerSendsTheBlobTwice_ThrowsBeforeTheSecondCopy()
    {
        var (name, data) = AddBlob(Size);
        Server.SetResource(name, data.Concat(data).ToArray());
        var destination = new MemoryStream();

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().DownloadAsync(name, destination).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain("more than"));
        Assert.That(destination.Length, Is.LessThanOrEqualTo(Size));
    }

    [Test]
    public void ReadAllBytesAsync_UnknownDigestFunction_ThrowsBeforeAnyCall()
    {
        var name = $"test/blobs/md6/{new string('a', 64)}/4";

        var error = Assert.Throws<NotSupportedException>(() => CreateClient().ReadAllBytesAsync(name));

        Assert.That(error!.Message, Does.Contain("md6").And.Contain("VerifyDigest"));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public async Task DownloadAsync_UnknownDigestFunctionWithVerifyDigestOff_Reads()
    {
        var name = $"test/blobs/md6/{new string('a', 64)}/4";
        Server.SetResource(name, new byte[] { 1, 2, 3, 4 });

        var count = await CreateClient().DownloadAsync(name, new MemoryStream(), new DownloadOptions { VerifyDigest = false }).DefaultTimeout();

        Assert.That(count, Is.EqualTo(4));
    }

    [Test]
    public async Task ReadAllBytesAsync_DigestFunctionNoPackageComputes_IsReadUnchecked()
    {
        var name = $"test/blobs/sha256tree/{new string('a', 64)}/4";
        Server.SetResource(name, new byte[] { 1, 2, 3, 4 });

        var bytes = await CreateClient().ReadAllBytesAsync(name).DefaultTimeout();

        Assert.That(bytes, Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
    }

    [Test]
    public async Task ReadAllBytesAsync_PlainResource_IsNotChecked()
    {
        var (name, data) = AddResource(100);

        var bytes = await CreateClient().ReadAllBytesAsync(name).DefaultTimeout();

        Assert.That(bytes, Is.EqualTo(data));
    }

    private (string Name, byte[] Corrupt) AddCorruptBlob()
    {
        var data = TestData.Random(Size);
        var corrupt = (byte[])data.Clone();
        corrupt[^1] ^= 1;
        var name = TestData.BlobName(data);
        Server.SetResource(name, corrupt);
        return (name, corrupt);
    }

    private static string Name(byte[] data, Func<byte[], byte[]> hash, string? function) =>
        $"test/blobs/{(function is null ? "" : function + "/")}{Convert.ToHexStringLower(hash(data))}/{data.Length}";
}
