namespace Bytestream.Client.Tests.Write;

/// <summary>How an <see cref="UploadResult"/> prints: every member that has a value, no empty "CompressedSize = ,".</summary>
[Category("Write")]
public class UploadResultTests
{
    [Test]
    public void ToString_OfAnUncompressedUpload_LeavesOutCompressedSize()
    {
        var result = new UploadResult(4096, 4096, 1);

        Assert.That(result.ToString(), Is.EqualTo("UploadResult { CommittedSize = 4096, BytesSent = 4096, Resumes = 1, Shared = False }"));
    }

    [Test]
    public void ToString_OfACompressedUpload_ShowsCompressedSize()
    {
        var result = new UploadResult(4096, 120, 0) { CompressedSize = 120 };

        Assert.That(result.ToString(), Is.EqualTo("UploadResult { CommittedSize = 4096, BytesSent = 120, Resumes = 0, CompressedSize = 120, Shared = False }"));
    }
}
