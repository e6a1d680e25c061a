using Bytestream.Testing;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>REAPI upload names: a finished upload is also stored under its blob's read name.</summary>
public class TestServerUploadNameTests : TestServerFixture
{
    private const string Hash = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
    private const string Uuid = "3f9a4e9e-5c1b-4a7e-9d55-1f0e0b6c2a10";

    [TestCase("inst/uploads/" + Uuid + "/blobs/" + Hash + "/5", "inst/blobs/" + Hash + "/5")]
    [TestCase("uploads/" + Uuid + "/blobs/" + Hash + "/5", "blobs/" + Hash + "/5")]
    [TestCase("a/b/c/uploads/" + Uuid + "/blobs/" + Hash + "/5", "a/b/c/blobs/" + Hash + "/5")]
    [TestCase("inst/uploads/" + Uuid + "/blobs/" + Hash + "/5/some/metadata", "inst/blobs/" + Hash + "/5")]
    [TestCase("inst/uploads/" + Uuid + "/blobs/blake3/" + Hash + "/5", "inst/blobs/blake3/" + Hash + "/5")]
    public async Task Write_FinishedUploadName_AlsoStoresTheBlobName(string uploadName, string blobName)
    {
        var data = "hello"u8.ToArray();

        await UploadAsync(uploadName, data);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(Stored(uploadName), Is.EqualTo(data));
            Assert.That(Stored(blobName), Is.EqualTo(data));
            Assert.That(await ReadAsync(blobName), Is.EqualTo(data));
        });
    }

    [TestCase("inst/uploads/" + Uuid + "/compressed-blobs/zstd/" + Hash + "/5", "inst/blobs/" + Hash + "/5")]
    [TestCase("inst/uploads/" + Uuid + "/compressed-blobs/zstd/blake3/" + Hash + "/5/meta", "inst/blobs/blake3/" + Hash + "/5")]
    public async Task Write_FinishedCompressedUploadName_StoresTheDecodedBlobUnderThePlainName(string uploadName, string blobName)
    {
        var data = "hello"u8.ToArray();

        await UploadAsync(uploadName, TestData.Zstd(data));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(Stored(blobName), Is.EqualTo(data));
            Assert.That(await ReadAsync(blobName), Is.EqualTo(data));
            Assert.That(TestData.Unzstd(await ReadAsync(blobName.Replace("inst/blobs/", "inst/compressed-blobs/zstd/", StringComparison.Ordinal))), Is.EqualTo(data));
        });
    }

    [TestCase("inst/uploads/" + Uuid + "/blobs/" + Hash)]
    [TestCase("inst/uploads/" + Uuid + "/blobs/" + Hash + "/not-a-size")]
    [TestCase("inst/uploads/" + Uuid + "/trees/" + Hash + "/5")]
    [TestCase("inst/blobs/" + Hash + "/5")]
    public async Task Write_NameThatIsNotAnUploadName_IsStoredOnlyUnderItself(string name)
    {
        await UploadAsync(name, "hello"u8.ToArray());

        Assert.Multiple(() =>
        {
            Assert.That(Server.TryGetResource(name, out _), Is.True);
            Assert.That(Server.TryGetResource("inst/blobs/" + Hash + "/5", out _), Is.EqualTo(name == "inst/blobs/" + Hash + "/5"));
        });
    }

    [Test]
    public async Task Write_MappingSwitchedOff_StoresOnlyTheUploadName()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { MapUploadNamesToBlobs = false }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var uploadName = "inst/uploads/" + Uuid + "/blobs/" + Hash + "/5";

        await WriteAsync(new Stub(channel), Requests(uploadName, "hello"u8.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(server.TryGetResource(uploadName, out _), Is.True);
            Assert.That(server.TryGetResource("inst/blobs/" + Hash + "/5", out _), Is.False);
        });
    }

    [Test]
    public async Task EndWriteEarly_UploadNameOfStoredBlob_AnswersTheBlobSize()
    {
        Server.SetResource("inst/blobs/" + Hash + "/5", "hello"u8.ToArray());
        Server.Faults.EndWriteEarly();

        var response = await UploadAsync("inst/uploads/" + Uuid + "/blobs/" + Hash + "/5", "hello"u8.ToArray());

        Assert.That(response.CommittedSize, Is.EqualTo(5));
    }

    [Test]
    public async Task ExistingResourceEndEarlyOk_UploadNameOfStoredBlob_EndsWithTheBlobSize()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ExistingResourceBehavior = ExistingResourceBehavior.EndEarlyOk }).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("inst/blobs/" + Hash + "/5", "hello"u8.ToArray());
        var uploadName = "inst/uploads/" + Uuid + "/blobs/" + Hash + "/5";

        var response = await WriteAsync(new Stub(channel), Requests(uploadName, "hello"u8.ToArray()));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(5));
            Assert.That(server.TryGetWriteStatus(uploadName, out _, out _), Is.False, "nothing of the call is stored");
        });
    }
}
