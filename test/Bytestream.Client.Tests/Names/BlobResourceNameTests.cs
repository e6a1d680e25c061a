namespace Bytestream.Client.Tests.Names;

public class BlobResourceNameTests
{
    private const string Sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const string Uuid = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

    [TestCase("blobs/" + Sha256 + "/4", "", Sha256, 4L, null, null)]
    [TestCase("main/blobs/" + Sha256 + "/4", "main", Sha256, 4L, null, null)]
    [TestCase("ci/linux/x86/blobs/00ff/0", "ci/linux/x86", "00ff", 0L, null, null)]
    [TestCase("blobs/blake3/00ff/9223372036854775807", "", "00ff", long.MaxValue, "blake3", null)]
    [TestCase("i/blobs/sha256tree/00ff/12", "i", "00ff", 12L, "sha256tree", null)]
    [TestCase("i/blobs/sha512/00ff/12", "i", "00ff", 12L, "sha512", null)]
    [TestCase("compressed-blobs/zstd/00ff/12", "", "00ff", 12L, null, "zstd")]
    [TestCase("a/b/compressed-blobs/deflate/blake3/00ff/12", "a/b", "00ff", 12L, "blake3", "deflate")]
    [TestCase("my-instance_1.v2/blobs/00ff/1", "my-instance_1.v2", "00ff", 1L, null, null)]
    [TestCase("Blobs/blobs/00ff/1", "Blobs", "00ff", 1L, null, null)]
    public void Parse_ReadName_ReturnsParts(string resourceName, string instance, string hash, long size, string? digestFunction, string? compressor)
    {
        var name = BlobResourceName.Parse(resourceName);

        Assert.Multiple(() =>
        {
            Assert.That(name.InstanceName, Is.EqualTo(instance));
            Assert.That(name.Hash, Is.EqualTo(hash));
            Assert.That(name.Size, Is.EqualTo(size));
            Assert.That(name.DigestFunction, Is.EqualTo(digestFunction));
            Assert.That(name.Compressor, Is.EqualTo(compressor));
        });
    }

    [TestCase("uploads/" + Uuid + "/blobs/00ff/2", "", null, null)]
    [TestCase("main/uploads/" + Uuid + "/blobs/00ff/2", "main", null, null)]
    [TestCase("a/b/c/uploads/" + Uuid + "/blobs/blake3/00ff/2", "a/b/c", "blake3", null)]
    [TestCase("uploads/" + Uuid + "/compressed-blobs/zstd/00ff/2", "", null, "zstd")]
    [TestCase("x/uploads/" + Uuid + "/compressed-blobs/brotli/sha256tree/00ff/2", "x", "sha256tree", "brotli")]
    [TestCase("uploads/not-a-guid-but-an-id/blobs/00ff/2", "", null, null)]
    public void Parse_UploadName_DropsUploadId(string resourceName, string instance, string? digestFunction, string? compressor)
    {
        var name = BlobResourceName.Parse(resourceName);

        Assert.That(name, Is.EqualTo(new BlobResourceName(instance, "00ff", 2) { DigestFunction = digestFunction, Compressor = compressor }));
    }

    [TestCase("uploads/" + Uuid + "/blobs/00ff/2/meta")]
    [TestCase("uploads/" + Uuid + "/blobs/00ff/2/meta/data/with/segments")]
    [TestCase("uploads/" + Uuid + "/blobs/00ff/2/blobs/uploads/ff/3")]
    [TestCase("uploads/" + Uuid + "/blobs/00ff/2/")]
    [TestCase("uploads/" + Uuid + "/blobs/blake3/00ff/2/meta")]
    public void Parse_UploadNameWithMetadata_DropsMetadata(string resourceName)
    {
        var name = BlobResourceName.Parse(resourceName);

        Assert.That(name.ToUploadResourceName(Guid.Parse(Uuid)), Does.StartWith("uploads/" + Uuid + "/blobs/").And.EndWith("00ff/2"));
        Assert.That(name.Hash, Is.EqualTo("00ff"));
    }

    [TestCase("uploads/" + Uuid + "/blobs/00ff/2/ab/12")]
    public void Parse_UploadMetadataShapedLikeDigest_KeepsFirstDigest(string resourceName)
    {
        var name = BlobResourceName.Parse(resourceName);

        Assert.That(name, Is.EqualTo(new BlobResourceName("", "00ff", 2)));
    }

    [TestCase("", "empty")]
    [TestCase("/blobs/00ff/2", "empty segment")]
    [TestCase("a//b/blobs/00ff/2", "empty segment")]
    [TestCase("a/b/blobs", "hash is missing")]
    [TestCase("blobs/00ff", "size is missing")]
    [TestCase("blobs/00ff/", "size is missing")]
    [TestCase("blobs//2", "hash is missing")]
    [TestCase("blobs/00FF/2", "not lowercase")]
    [TestCase("blobs/00f/2", "neither a hash")]
    [TestCase("blobs/zz/2", "neither a hash")]
    [TestCase("blobs/blake3/2", "neither a hash")]
    [TestCase("blobs/00ff/-1", "size '-1'")]
    [TestCase("blobs/00ff/+1", "size '+1'")]
    [TestCase("blobs/00ff/01", "size '01'")]
    [TestCase("blobs/00ff/ 1", "size ' 1'")]
    [TestCase("blobs/00ff/1.0", "size '1.0'")]
    [TestCase("blobs/00ff/9223372036854775808", "size '9223372036854775808'")]
    [TestCase("blobs/00ff/2/extra", "read name ends with the size")]
    [TestCase("blobs/00ff/2/", "read name ends with the size")]
    [TestCase("blobs/blake3/00ff/2/extra", "read name ends with the size")]
    [TestCase("actions/blobs/00ff/2", "reserved segment 'actions'")]
    [TestCase("a/actionResults/blobs/00ff/2", "reserved segment 'actionResults'")]
    [TestCase("operations/blobs/00ff/2", "reserved segment 'operations'")]
    [TestCase("capabilities/blobs/00ff/2", "reserved segment 'capabilities'")]
    [TestCase("../blobs/00ff/2", "segment '..'")]
    [TestCase("a/../blobs/00ff/2", "segment '..'")]
    [TestCase("./blobs/00ff/2", "segment '.'")]
    [TestCase("a/./b/blobs/00ff/2", "segment '.'")]
    [TestCase("../uploads/" + Uuid + "/blobs/00ff/2", "segment '..'")]
    [TestCase("blobs/SHA256/00FF/2", "'SHA256' is neither a hash")]
    [TestCase("main/00ff/2", "no 'blobs'")]
    [TestCase("main/BLOBS/00ff/2", "no 'blobs'")]
    [TestCase("http://host/blobs/00ff/2", "empty segment")]
    [TestCase("compressed-blobs", "not followed by a compressor")]
    [TestCase("compressed-blobs/00ff/2", "'00ff' is not a compressor")]
    [TestCase("compressed-blobs/identity/00ff/2", "'identity' is not a compressor")]
    [TestCase("compressed-blobs/Zstd/00ff/2", "'Zstd' is not a compressor")]
    [TestCase("uploads", "upload id")]
    [TestCase("uploads/" + Uuid, "not followed by 'blobs/'")]
    [TestCase("uploads//blobs/00ff/2", "upload id")]
    [TestCase("uploads/blobs/00ff/2", "upload id")]
    [TestCase("uploads/" + Uuid + "/00ff/2", "not followed by 'blobs/'")]
    [TestCase("uploads/" + Uuid + "/uploads/" + Uuid + "/blobs/00ff/2", "not followed by 'blobs/'")]
    [TestCase("uploads/" + Uuid + "/blobs/00ff", "size is missing")]
    public void Parse_InvalidName_ThrowsFormatExceptionSayingWhy(string resourceName, string reason)
    {
        var ex = Assert.Throws<FormatException>(() => BlobResourceName.Parse(resourceName));

        Assert.That(ex!.Message, Does.Contain(reason));
        Assert.That(ex.Message, Does.Contain("{instance_name}/blobs/{digest_function/}{hash}/{size}"));
    }

    [Test]
    public void Parse_Null_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => BlobResourceName.Parse(null!));
    }

    [TestCase("main/blobs/" + Sha256 + "/4", true)]
    [TestCase("uploads/" + Uuid + "/compressed-blobs/zstd/00ff/2/m", true)]
    [TestCase("", false)]
    [TestCase("/", false)]
    [TestCase("//", false)]
    [TestCase("blobs", false)]
    [TestCase("blobs/", false)]
    [TestCase("blobs//", false)]
    [TestCase("uploads/", false)]
    [TestCase("uploads//", false)]
    [TestCase("uploads/x/", false)]
    [TestCase("uploads/x/compressed-blobs/", false)]
    [TestCase("compressed-blobs/zstd/", false)]
    [TestCase("blobs/00ff/2\0", false)]
    [TestCase("\uD800blobs/00ff/2", false)]
    [TestCase("blobs/\u0660\u0661/2", false)]
    [TestCase("blobs/00ff/\u0662", false)]
    public void TryParse_AnyString_NeverThrows(string resourceName, bool expected)
    {
        var parsed = BlobResourceName.TryParse(resourceName, out var name);

        Assert.That(parsed, Is.EqualTo(expected));
        Assert.That(name is not null, Is.EqualTo(expected));
    }

    [Test]
    public void TryParse_Null_ReturnsFalse()
    {
        var parsed = BlobResourceName.TryParse(null!, out var name);

        Assert.That(parsed, Is.False);
        Assert.That(name, Is.Null);
    }

    [Test]
    public void TryParse_RandomStrings_NeverThrow()
    {
        var random = new Random(12345);
        const string Alphabet = "/0af9bcAZ-lobsupadmcrezt3\0 ";
        for (var i = 0; i < 2000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = Alphabet[random.Next(Alphabet.Length)];
            }

            var candidate = (random.Next(3) switch { 0 => "blobs/", 1 => "uploads/u/blobs/", _ => "" }) + new string(chars);

            Assert.DoesNotThrow(() => BlobResourceName.TryParse(candidate, out _), candidate);
        }
    }

    [TestCase("blobs/" + Sha256 + "/4")]
    [TestCase("main/blobs/00ff/0")]
    [TestCase("ci/linux/x86/blobs/blake3/00ff/12")]
    [TestCase("compressed-blobs/zstd/00ff/12")]
    [TestCase("a/b/compressed-blobs/deflate/sha256tree/00ff/12")]
    public void ToReadResourceName_ParsedCanonicalName_RoundTrips(string resourceName)
    {
        var name = BlobResourceName.Parse(resourceName);

        Assert.That(name.ToReadResourceName(), Is.EqualTo(resourceName));
    }

    [TestCase("uploads/" + Uuid + "/blobs/" + Sha256 + "/4")]
    [TestCase("main/uploads/" + Uuid + "/blobs/00ff/0")]
    [TestCase("ci/linux/uploads/" + Uuid + "/blobs/blake3/00ff/12")]
    [TestCase("uploads/" + Uuid + "/compressed-blobs/zstd/00ff/12")]
    [TestCase("a/b/uploads/" + Uuid + "/compressed-blobs/brotli/blake3/00ff/12")]
    public void ToUploadResourceName_ParsedCanonicalName_RoundTrips(string resourceName)
    {
        var name = BlobResourceName.Parse(resourceName);

        Assert.That(name.ToUploadResourceName(Guid.Parse(Uuid)), Is.EqualTo(resourceName));
    }

    [TestCase("")]
    [TestCase("main")]
    [TestCase("a/b/c")]
    public void Parse_BuiltNames_RoundTripToEqualRecord(string instance)
    {
        var names = new[]
        {
            new BlobResourceName(instance, Sha256, 4),
            new BlobResourceName(instance, "00ff", 0) { DigestFunction = "blake3" },
            new BlobResourceName(instance, "00ff", long.MaxValue) { Compressor = "zstd" },
            new BlobResourceName(instance, "00ff", 7) { DigestFunction = "sha256tree", Compressor = "deflate" },
        };
        var uploadId = Guid.NewGuid();

        foreach (var name in names)
        {
            Assert.That(BlobResourceName.Parse(name.ToReadResourceName()), Is.EqualTo(name));
            Assert.That(BlobResourceName.Parse(name.ToUploadResourceName(uploadId)), Is.EqualTo(name));
            Assert.That(BlobResourceName.Parse(name.ToUploadResourceName(uploadId) + "/metadata/x"), Is.EqualTo(name));
        }
    }

    [Test]
    public void ToUploadResourceName_AnyGuid_WritesLowercaseDFormat()
    {
        var uploadId = Guid.Parse("ABCDEF01-2345-6789-ABCD-EF0123456789");
        var name = new BlobResourceName("main", "00ff", 2);

        var upload = name.ToUploadResourceName(uploadId);

        Assert.That(upload, Is.EqualTo("main/uploads/abcdef01-2345-6789-abcd-ef0123456789/blobs/00ff/2"));
    }

    [Test]
    public void ToReadResourceName_EmptyInstance_HasNoLeadingSlash()
    {
        var name = new BlobResourceName("", "00ff", 2) { DigestFunction = "blake3", Compressor = "zstd" };

        Assert.That(name.ToReadResourceName(), Is.EqualTo("compressed-blobs/zstd/blake3/00ff/2"));
    }

    [TestCase("/main")]
    [TestCase("main/")]
    [TestCase("a//b")]
    [TestCase("/")]
    [TestCase("blobs")]
    [TestCase("a/uploads")]
    [TestCase("compressed-blobs/a")]
    [TestCase("actions")]
    [TestCase("actionResults")]
    [TestCase("operations")]
    [TestCase("capabilities")]
    [TestCase(".")]
    [TestCase("..")]
    [TestCase("a/..")]
    [TestCase("./a")]
    public void Constructor_InvalidInstanceName_ThrowsArgumentException(string instance)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new BlobResourceName(instance, "00ff", 2));

        Assert.That(ex!.ParamName, Is.EqualTo("InstanceName"));
    }

    [TestCase("")]
    [TestCase("0")]
    [TestCase("00FF")]
    [TestCase("00fg")]
    [TestCase("00 f")]
    [TestCase("00/f")]
    public void Constructor_InvalidHash_ThrowsArgumentException(string hash)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new BlobResourceName("", hash, 2));

        Assert.That(ex!.ParamName, Is.EqualTo("Hash"));
    }

    [Test]
    public void Constructor_NullParts_ThrowArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new BlobResourceName(null!, "00ff", 2));
        Assert.Throws<ArgumentNullException>(() => _ = new BlobResourceName("", null!, 2));
    }

    [Test]
    public void Constructor_NegativeSize_ThrowsArgumentOutOfRangeException()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new BlobResourceName("", "00ff", -1));
    }

    [Test]
    public void With_InvalidValue_ThrowsLikeTheConstructor()
    {
        var name = new BlobResourceName("main", "00ff", 2);

        Assert.Throws<ArgumentException>(() => _ = name with { InstanceName = "a/blobs" });
        Assert.Throws<ArgumentException>(() => _ = name with { Hash = "XYZ" });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = name with { Size = -5 });
    }

    [TestCase("")]
    [TestCase("unknown")]
    [TestCase("UNKNOWN")]
    [TestCase("ABC")]
    [TestCase("BLAKE-3")]
    [TestCase("00ff")]
    [TestCase("abc")]
    [TestCase("3blake")]
    [TestCase("sha-256")]
    [TestCase("blake3/x")]
    public void DigestFunction_InvalidName_ThrowsArgumentException(string digestFunction)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new BlobResourceName("", "00ff", 2) { DigestFunction = digestFunction });

        Assert.That(ex!.ParamName, Is.EqualTo("DigestFunction"));
    }

    [TestCase("")]
    [TestCase("identity")]
    [TestCase("ZSTD")]
    [TestCase("zstd/1")]
    [TestCase("1zstd")]
    public void Compressor_InvalidName_ThrowsArgumentException(string compressor)
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new BlobResourceName("", "00ff", 2) { Compressor = compressor });

        Assert.That(ex!.ParamName, Is.EqualTo("Compressor"));
    }

    [TestCase("sha256")]
    [TestCase("sha1")]
    [TestCase("md5")]
    [TestCase("vso")]
    [TestCase("sha384")]
    [TestCase("sha512")]
    [TestCase("murmur3")]
    [TestCase("sha256tree")]
    [TestCase("blake3")]
    public void Parse_EveryReapiDigestFunction_IsRecognised(string digestFunction)
    {
        var name = BlobResourceName.Parse($"main/blobs/{digestFunction}/00ff/2");

        Assert.That(name.DigestFunction, Is.EqualTo(digestFunction));
        Assert.That(name.ToReadResourceName(), Is.EqualTo($"main/blobs/{digestFunction}/00ff/2"));
    }

    [Test]
    public void Equality_SameParts_AreEqual()
    {
        var a = new BlobResourceName("main", "00ff", 2) { Compressor = "zstd" };
        var b = BlobResourceName.Parse("main/compressed-blobs/zstd/00ff/2");

        Assert.That(a, Is.EqualTo(b));
        Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        Assert.That(a, Is.Not.EqualTo(b with { Compressor = null }));
    }

    [TestCase("main/blobs/00ff/1234", 1234L)]
    [TestCase("blobs/blake3/00ff/0", 0L)]
    [TestCase("uploads/" + Uuid + "/blobs/00ff/77", 77L)]
    [TestCase("a/b/uploads/" + Uuid + "/blobs/sha256tree/00ff/77/meta", 77L)]
    public void TryGetUncompressedSize_UncompressedBlobName_ReturnsSize(string resourceName, long expected)
    {
        Assert.That(BlobResourceName.TryGetUncompressedSize(resourceName), Is.EqualTo(expected));
    }

    [TestCase("main/compressed-blobs/zstd/00ff/1234")]
    [TestCase("uploads/" + Uuid + "/compressed-blobs/zstd/00ff/77")]
    [TestCase("my-bucket/some/object")]
    [TestCase("blobs/00ff/not-a-size")]
    [TestCase("")]
    [TestCase(null)]
    public void TryGetUncompressedSize_OtherName_ReturnsNull(string? resourceName)
    {
        Assert.That(BlobResourceName.TryGetUncompressedSize(resourceName), Is.Null);
    }

    [TestCase("SHA256", "sha256")]
    [TestCase("BLAKE3", "blake3")]
    [TestCase("SHA256TREE", "sha256tree")]
    [TestCase("Blake3", "blake3")]
    [TestCase("MURMUR3", "murmur3")]
    public void Parse_DigestFunctionInAnyCase_IsRecognisedAndKeptLowercase(string spelled, string expected)
    {
        var name = BlobResourceName.Parse($"main/blobs/{spelled}/00ff/2");

        Assert.That(name.DigestFunction, Is.EqualTo(expected));
        Assert.That(name.ToReadResourceName(), Is.EqualTo($"main/blobs/{expected}/00ff/2"));
    }

    [Test]
    public void Parse_UploadNameWithEnumSpelledDigestFunction_IsRecognised()
    {
        var name = BlobResourceName.Parse("uploads/" + Uuid + "/compressed-blobs/zstd/BLAKE3/00ff/2");

        Assert.That(name, Is.EqualTo(new BlobResourceName("", "00ff", 2) { DigestFunction = "blake3", Compressor = "zstd" }));
    }

    [TestCase("SHA256TREE")]
    [TestCase("Blake3")]
    public void DigestFunction_SetInAnyCase_IsKeptLowercase(string digestFunction)
    {
        var name = new BlobResourceName("", "00ff", 2) { DigestFunction = digestFunction };

        Assert.That(name.DigestFunction, Is.EqualTo(digestFunction.ToLowerInvariant()));
    }

    [TestCase("..")]
    [TestCase(".")]
    [TestCase("a/../b")]
    [TestCase("a/.")]
    public void TryParse_DotSegmentInInstanceName_ReturnsFalse(string instance)
    {
        var parsed = BlobResourceName.TryParse($"{instance}/blobs/00ff/2", out var name);

        Assert.That(parsed, Is.False);
        Assert.That(name, Is.Null);
    }

    [TestCase("..a/blobs/00ff/2", "..a")]
    [TestCase("a./blobs/00ff/2", "a.")]
    [TestCase(".../blobs/00ff/2", "...")]
    public void Parse_DotsWithinASegment_AreAnInstanceName(string resourceName, string instance)
    {
        Assert.That(BlobResourceName.Parse(resourceName).InstanceName, Is.EqualTo(instance));
    }
}
