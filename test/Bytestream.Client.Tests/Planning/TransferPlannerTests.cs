using Bytestream.Client.Internal;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Planning;

/// <summary>The plan of a transfer, decided once before any call: no server, no call.</summary>
public class TransferPlannerTests
{
    private const string Hash = "9a271f2a916b0b6ee6cecb2426f0b3206ef074578be55d9bc94f6f3fe3ab86aa";
    private const string UploadId = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

    private static readonly GrpcChannel Channel = GrpcChannel.ForAddress("http://127.0.0.1:1");

    private static ClientCore Core(BlobCompression compression = BlobCompression.None, bool serverLacksCompression = false) =>
        new(Channel.CreateCallInvoker(), new ByteStreamClientOptions { Compression = compression }, target: null)
        {
            CompressionUnsupported = serverLacksCompression,
        };

    [TestCase("main/blobs/00ff/2", BlobCompression.Zstd, "main/compressed-blobs/zstd/00ff/2")]
    [TestCase("blobs/00ff/2", BlobCompression.Zstd, "compressed-blobs/zstd/00ff/2")]
    [TestCase("a/b/uploads/" + UploadId + "/blobs/blake3/00ff/5000/meta", BlobCompression.Auto,
        "a/b/uploads/" + UploadId + "/compressed-blobs/zstd/blake3/00ff/5000/meta")]
    [TestCase("main/blobs/00ff/2", BlobCompression.Auto, "main/blobs/00ff/2")]
    [TestCase("main/blobs/00ff/2", BlobCompression.None, "main/blobs/00ff/2")]
    [TestCase("main/compressed-blobs/zstd/00ff/5000", BlobCompression.Zstd, "main/compressed-blobs/zstd/00ff/5000")]
    [TestCase("plain/resource", BlobCompression.Zstd, "plain/resource")]
    public void ForUpload_ChoosesACompressedNameForPlainBlobNamesOnly(string name, BlobCompression compression, string expected) =>
        Assert.That(TransferPlanner.ForUpload(Core(compression), name, null, sourceLength: null).WireName, Is.EqualTo(expected));

    [Test]
    public void ForUpload_ServerWithoutCompression_KeepsThePlainName()
    {
        var plan = TransferPlanner.ForUpload(Core(BlobCompression.Zstd, serverLacksCompression: true), "main/blobs/00ff/2", null, null);

        Assert.That(plan.Compressed, Is.False);
    }

    [Test]
    public void ForUpload_ChosenCompression_FallsBackToTheCallersName()
    {
        var plan = TransferPlanner.ForUpload(Core(BlobCompression.Zstd), "main/blobs/00ff/2", null, null);

        Assert.Multiple(() =>
        {
            Assert.That(plan.CanFallBackToPlain, Is.True);
            Assert.That(plan.Plain().WireName, Is.EqualTo("main/blobs/00ff/2"));
            Assert.That(plan.Plain().Compressed, Is.False);
        });
    }

    [Test]
    public void ForUpload_WriteStream_NeverChoosesCompression() =>
        Assert.That(TransferPlanner.ForUpload(Core(BlobCompression.Zstd), "main/blobs/00ff/2", null, null, mayChooseCompression: false).Compressed, Is.False);

    [Test]
    public void ForUpload_CompressedName_LengthIsTheUncompressedSizeAndTheWireLengthUnknown()
    {
        var plan = TransferPlanner.ForUpload(Core(), $"uploads/{UploadId}/compressed-blobs/zstd/{Hash}/1000", null, null);

        Assert.Multiple(() =>
        {
            Assert.That(plan.Length, Is.EqualTo(1000));
            Assert.That(plan.WireLength, Is.Null);
            Assert.That(plan.RestartsOnly, Is.True);
        });
    }

    [TestCase("main/uploads/" + UploadId + "/compressed-blobs/zstd/00ff/5000")]
    [TestCase("a/b/uploads/" + UploadId + "/compressed-blobs/zstd/blake3/00ff/5000/meta")]
    [TestCase("uploads/" + UploadId + "/compressed-blobs/zstd/00ff/5000")]
    public void WithNewUploadId_ChangesOnlyTheUploadId(string name)
    {
        var fresh = TransferPlanner.ForUpload(Core(), name, null, null).WithNewUploadId().WireName;

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
    public void WithNewUploadId_ReadName_HasNoIdToChange()
    {
        var plan = TransferPlanner.ForUpload(Core(), "main/compressed-blobs/zstd/00ff/5000", null, null);

        Assert.That(plan.WithNewUploadId(), Is.SameAs(plan));
    }

    [TestCase("main/uploads/" + UploadId + "/blobs/" + Hash + "/1000", "main/blobs/" + Hash + "/1000")]
    [TestCase("main/uploads/" + UploadId + "/compressed-blobs/zstd/" + Hash + "/1000", "main/blobs/" + Hash + "/1000")]
    [TestCase("main/uploads/" + UploadId + "/blobs/sha256/" + Hash + "/1000/meta", "main/blobs/" + Hash + "/1000")]
    public void SharingKey_SameBlob_SameKeyWhateverTheUploadName(string first, string second) =>
        Assert.That(TransferPlanner.ForUpload(Core(), first, null, null).SharingKey,
            Is.EqualTo(TransferPlanner.ForUpload(Core(), second, null, null).SharingKey).And.Not.Null);

    [Test]
    public void SharingKey_OtherInstanceOrSize_Differs() =>
        Assert.That(TransferPlanner.ForUpload(Core(), $"a/blobs/{Hash}/1000", null, null).SharingKey,
            Is.Not.EqualTo(TransferPlanner.ForUpload(Core(), $"b/blobs/{Hash}/1000", null, null).SharingKey));

    [Test]
    public void SharingKey_PlainName_IsNone() =>
        Assert.That(TransferPlanner.ForUpload(Core(), "plain/resource", null, null).SharingKey, Is.Null);

    [Test]
    public void ForUpload_CompressionOutOfRange_ThrowsBeforeAnyCall()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            TransferPlanner.ForUpload(Core(), "main/blobs/00ff/2", new UploadOptions { Compression = (BlobCompression)7 }, null));

        Assert.That(error!.Message, Does.Contain("None, Auto, Zstd"));
    }

    [Test]
    public void ForRead_CompressionOutOfRange_ThrowsBeforeAnyCall() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TransferPlanner.ForRead(Core(), "main/blobs/00ff/2", 0, 0, null, true, (BlobCompression)7));

    [TestCase("main/compressed-blobs/ZSTD/" + Hash + "/1000")]
    [TestCase("main/compressed-blobs/zstd/SHA-256/" + Hash + "/1000")]
    [TestCase("main/compressed-blobs/zstd/" + Hash)]
    [TestCase("main/uploads/" + UploadId + "/compressed-blobs/")]
    public void CompressedBlobsSegmentThatDoesNotParse_ThrowsBeforeAnyCall(string name)
    {
        var upload = Assert.Throws<ArgumentException>(() => TransferPlanner.ForUpload(Core(), name, null, null));
        var read = Assert.Throws<ArgumentException>(() => TransferPlanner.ForRead(Core(), name, 0, 0, null, true, null));

        Assert.Multiple(() =>
        {
            Assert.That(upload!.Message, Does.Contain("compressed-blobs"));
            Assert.That(read!.InnerException, Is.InstanceOf<FormatException>());
        });
    }

    [Test]
    public void OtherCompressor_IsNotSupported() =>
        Assert.Throws<NotSupportedException>(() => TransferPlanner.ForUpload(Core(), $"main/compressed-blobs/deflate/{Hash}/1000", null, null));

    [Test]
    public void ForRead_OffsetPastTheBlobsSize_ThrowsBeforeAnyCall()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => TransferPlanner.ForRead(Core(), $"main/blobs/{Hash}/1000", 1001, 0, null, true, null));

        Assert.That(error!.Message, Does.Contain("1000"));
    }

    [Test]
    public void ForRead_OffsetAtTheEnd_IsAnEmptyRead() =>
        Assert.That(TransferPlanner.ForRead(Core(), $"main/blobs/{Hash}/1000", 1000, 0, null, true, null).Length, Is.Zero);

    [TestCase(0, 0, true)]
    [TestCase(0, 1000, true)]
    [TestCase(0, 999, false)]
    [TestCase(1, 0, false)]
    public void ForRead_OnlyTheWholeBlobIsVerified(long offset, long limit, bool verified) =>
        Assert.That(TransferPlanner.ForRead(Core(), $"main/blobs/{Hash}/1000", offset, limit, null, true, null).Digest, verified ? Is.Not.Null : Is.Null);

    [Test]
    public void ForRead_CompressedNameWithALimit_Throws() =>
        Assert.Throws<ArgumentException>(() => TransferPlanner.ForRead(Core(), $"main/compressed-blobs/zstd/{Hash}/1000", 0, 10, null, true, null));

    [Test]
    public void ForRead_Limit_NeverChoosesCompression() =>
        Assert.That(TransferPlanner.ForRead(Core(BlobCompression.Zstd), $"main/blobs/{Hash}/1000", 0, 10, null, true, null).Compressed, Is.False);

    [Test]
    public void ForUpload_VerifyDigestOnAPlainName_Throws() =>
        Assert.Throws<ArgumentException>(() => TransferPlanner.ForUpload(Core(), "plain/resource", new UploadOptions { VerifyDigest = true }, null));
}
