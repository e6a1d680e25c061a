using Bytestream.Testing;
using static Bytestream.Client.Tests.Write.UploadTests;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>UploadOptions.VerifyDigest: the data is hashed as it is sent, and finish_write is withheld when it does not match the name.</summary>
public class UploadDigestTests : ServerTestBase
{
    private const int Size = (2 * 1024 * 1024) + 17;
    private static readonly UploadOptions Verify = new() { VerifyDigest = true };

    [TestCase(Source.Memory)]
    [TestCase(Source.SeekableStream)]
    [TestCase(Source.NonSeekableStream)]
    [TestCase(Source.WriteStream)]
    public async Task Upload_DataMatchesTheName_IsStored(Source source)
    {
        var data = TestData.Random(Size);
        var name = BlobResourceName.Parse(TestData.BlobName(data)).ToUploadResourceName(Guid.NewGuid());
        Server.Faults.CutWrite(1024 * 1024);

        await UploadAsync(CreateClient(), source, name, data, Verify).DefaultTimeout();

        Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(data))), Is.EqualTo(TestData.Sha256(data)));
    }

    [TestCase(Source.Memory)]
    [TestCase(Source.SeekableStream)]
    [TestCase(Source.NonSeekableStream)]
    [TestCase(Source.WriteStream)]
    public void Upload_DataDoesNotMatchTheName_ThrowsAndSendsNoFinishWrite(Source source)
    {
        var data = TestData.Random(Size);
        var name = BlobResourceName.Parse(TestData.BlobName(data)).ToUploadResourceName(Guid.NewGuid());
        var other = TestData.Random(Size, seed: 2);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => UploadAsync(CreateClient(), source, name, other, Verify).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain(TestData.Sha256(other)).And.Contain(TestData.Sha256(data)).And.Contain("finish_write was not sent"));
        Assert.That(Server.TryGetResource(TestData.BlobName(data), out _), Is.False, "nothing was finished");
    }

    [Test]
    public void UploadAsync_VerifyDigestOfAPlainName_ThrowsBeforeAnyCall()
    {
        var client = CreateClient();

        Assert.Throws<ArgumentException>(() => client.UploadAsync("plain/name", new byte[3], Verify));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_VerifyDigestWithResumeExistingUpload_ThrowsBeforeAnyCall()
    {
        var data = TestData.Random(10);
        var name = BlobResourceName.Parse(TestData.BlobName(data)).ToUploadResourceName(Guid.NewGuid());

        Assert.Throws<ArgumentException>(() => CreateClient().UploadAsync(name, data, new UploadOptions { VerifyDigest = true, ResumeExistingUpload = true }));
        Assert.That(CallsStarted, Is.Zero);
    }

    [Test]
    public void UploadAsync_VerifyDigestOfAFunctionNotComputed_ThrowsNotSupported()
    {
        var name = $"uploads/{Guid.NewGuid()}/blobs/sha256tree/{new string('a', 64)}/3";

        Assert.Throws<NotSupportedException>(() => CreateClient().UploadAsync(name, new byte[3], Verify));
    }
}
