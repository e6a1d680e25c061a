using Bytestream.Testing;
using Grpc.Core;
using Stub = Google.ByteStream.ByteStream.ByteStreamClient;

namespace Bytestream.Client.Tests.Testing;

/// <summary>
/// The test server's compressed-blobs/zstd/ support, driven through the raw stub with zstd made by ZstdSharp directly:
/// uploads decoded and stored uncompressed, reads compressed on the fly, and the servers it can stage.
/// </summary>
public class TestServerCompressedBlobTests : TestServerFixture
{
    private static readonly byte[] Data = TestData.Text((3 * Chunk) + 123);
    private static readonly byte[] Compressed = TestData.Zstd(Data);

    [Test]
    public async Task Write_CompressedUpload_StoresTheDecodedBlobUnderItsPlainName()
    {
        var upload = TestData.ZstdUploadName(Data);

        var response = await WriteAsync(Requests(upload, Compressed, chunk: 1000));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(Compressed.Length), "REAPI: the compressed total");
            Assert.That(TestData.Sha256(Stored(TestData.BlobName(Data))), Is.EqualTo(TestData.Sha256(Data)));
            Assert.That(Stored(upload), Is.EqualTo(Compressed), "the upload name keeps what was received");
            Assert.That(TrueStatus(upload), Is.EqualTo((Compressed.LongLength, true)));
            Assert.That(Server.TryGetResource(TestData.ZstdBlobName(Data), out _), Is.False, "blobs are stored uncompressed only");
        });
    }

    [Test]
    public async Task Write_CompressedUploadCutThenStartedAgainAtZero_StoresTheBlob()
    {
        var upload = TestData.ZstdUploadName(Data);
        Server.Faults.CutWrite(2000);

        Assert.That(await StatusOf(() => WriteAsync(Requests(upload, Compressed, chunk: 1000))), Is.EqualTo(StatusCode.Unavailable));
        Assert.That(await QueryAsync(upload), Is.EqualTo((2000L, false)), "committed sizes count compressed bytes");
        await WriteAsync(Requests(upload, Compressed, chunk: 1000));

        Assert.That(TestData.Sha256(Stored(TestData.BlobName(Data))), Is.EqualTo(TestData.Sha256(Data)));
    }

    [Test]
    public async Task RequireWriteOffsetAtCommittedSize_ALowerFirstOffset_IsFailedPreconditionAndTheUploadStaysAsItWas()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { RequireWriteOffsetAtCommittedSize = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        await WriteAsync(stub, Requests("files/strict", Data.AsMemory(0, 3000), finish: false));

        var rewind = await StatusOf(() => WriteAsync(stub, Requests("files/strict", Data, offset: 0)));
        await WriteAsync(stub, Requests("files/strict", Data.AsMemory(3000), offset: 3000));

        Assert.That(rewind, Is.EqualTo(StatusCode.FailedPrecondition));
        Assert.That(server.TryGetResource("files/strict", out var stored), Is.True, "a complete resource");
        Assert.That(stored, Is.EqualTo(Data), "continued at the committed size");
    }

    [Test]
    public async Task Write_CompressedUploadAtANonZeroOffset_IsInvalidArgument()
    {
        var upload = TestData.ZstdUploadName(Data);
        await WriteAsync(Requests(upload, Compressed.AsMemory(0, 2000), finish: false));

        var status = await StatusOf(() => WriteAsync(Requests(upload, Compressed.AsMemory(2000), offset: 2000)));

        Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(Server.TryGetResource(TestData.BlobName(Data), out _), Is.False);
    }

    [TestCase("not zstd")]
    [TestCase("truncated")]
    [TestCase("shorter than the name")]
    [TestCase("longer than the name")]
    public async Task Write_CompressedUploadThatDoesNotDecodeToTheBlob_IsInvalidArgumentAndStoresNothing(string flaw)
    {
        var sent = flaw switch
        {
            "not zstd" => TestData.Random(5000),
            "truncated" => Compressed[..^10],
            "shorter than the name" => TestData.Zstd(Data.AsSpan(0, Data.Length - 1)),
            _ => TestData.Zstd([.. Data, .. "x"u8]),
        };
        var upload = TestData.ZstdUploadName(Data);

        var error = Assert.ThrowsAsync<RpcException>(() => WriteAsync(Requests(upload, sent, chunk: 1000)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Status.Detail, Does.Contain(upload));
        Assert.That(Server.TryGetResource(TestData.BlobName(Data), out _), Is.False);
    }

    [Test]
    public async Task Write_ConcatenatedFrames_DecodeAsOneBlob()
    {
        var upload = TestData.ZstdUploadName(Data);
        byte[] frames = [.. TestData.Zstd(Data.AsSpan(0, 100)), .. TestData.Zstd(Data.AsSpan(100))];

        await WriteAsync(Requests(upload, frames, chunk: 777));

        Assert.That(Stored(TestData.BlobName(Data)), Is.EqualTo(Data));
    }

    [Test]
    public async Task Read_CompressedName_SendsOneFrameOfTheStoredBlobThatDeclaresItsSize()
    {
        Server.SetResource(TestData.BlobName(Data), Data);

        var wire = await ReadAsync(TestData.ZstdBlobName(Data));

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Unzstd(wire), Is.EqualTo(Data));
            Assert.That(ZstdSharp.Decompressor.GetDecompressedSize(wire), Is.EqualTo((ulong)Data.Length));
            Assert.That(wire.Length, Is.LessThan(Data.Length / 2), "the text compresses");
        });
    }

    [Test]
    public async Task Read_CompressedNameAgainAfterTheBlobWasReplaced_SendsTheNewBytes()
    {
        var other = TestData.Text(Data.Length, seed: 2);
        Server.SetResource(TestData.BlobName(Data), Data);
        var first = await ReadAsync(TestData.ZstdBlobName(Data));
        var again = await ReadAsync(TestData.ZstdBlobName(Data));

        Server.SetResource(TestData.BlobName(Data), other);
        var replaced = await ReadAsync(TestData.ZstdBlobName(Data));

        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(first), "the kept frame");
            Assert.That(TestData.Unzstd(replaced), Is.EqualTo(other), "a frame is kept with its resource, not its name");
        });
    }

    [TestCase("truncated")]
    [TestCase("wrong digest")]
    public async Task Write_RefusedCompressedUploadToAStorageDirectory_LeavesNoDecodedFileBehind(string flaw)
    {
        var directory = Directory.CreateTempSubdirectory("bytestream-zstd-refused-");
        try
        {
            await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { StorageDirectory = directory.FullName, VerifyUploadDigests = true }).DefaultTimeout();
            using var channel = server.CreateChannel();
            var stub = new Stub(channel);
            var other = TestData.Text(Data.Length, seed: 7);
            var (upload, sent) = flaw == "truncated"
                ? (TestData.ZstdUploadName(Data), Compressed[..^10])
                : (TestData.ZstdUploadName(Data), TestData.Zstd(other));

            var status = await StatusOf(() => WriteAsync(stub, Requests(upload, sent, chunk: 1000)));

            Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(File.Exists(Path.Combine(directory.FullName, TestData.BlobName(Data))), Is.False);
            Assert.That(Directory.EnumerateFiles(Path.Combine(directory.FullName, ".bytestream", "tmp")), Is.Empty, "the decoded file was deleted");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Write_CompressedUploadToAStorageDirectory_StoresTheDecodedBlobAsAFile()
    {
        var directory = Directory.CreateTempSubdirectory("bytestream-zstd-stored-");
        try
        {
            await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { StorageDirectory = directory.FullName, VerifyUploadDigests = true }).DefaultTimeout();
            using var channel = server.CreateChannel();
            var stub = new Stub(channel);

            await WriteAsync(stub, Requests(TestData.ZstdUploadName(Data), Compressed, chunk: 1000));

            Assert.That(File.ReadAllBytes(Path.Combine(directory.FullName, TestData.BlobName(Data))), Is.EqualTo(Data));
            Assert.That(Directory.EnumerateFiles(Path.Combine(directory.FullName, ".bytestream", "tmp")), Is.Empty, "the decoded file was moved into place");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Read_CompressedNameOfAFileStoredBlob_IsCompressedOnEveryRead()
    {
        var directory = Directory.CreateTempSubdirectory("bytestream-zstd-files-");
        try
        {
            await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { StorageDirectory = directory.FullName }).DefaultTimeout();
            using var channel = server.CreateChannel();
            var stub = new Stub(channel);
            await WriteAsync(stub, Requests(TestData.ZstdUploadName(Data), Compressed));

            var first = (await ReadMessagesAsync(stub, TestData.ZstdBlobName(Data))).Data;
            var fromOffset = (await ReadMessagesAsync(stub, TestData.ZstdBlobName(Data), offset: 100)).Data;
            var again = (await ReadMessagesAsync(stub, TestData.ZstdBlobName(Data))).Data;

            Assert.Multiple(() =>
            {
                Assert.That(File.ReadAllBytes(Path.Combine(directory.FullName, TestData.BlobName(Data))), Is.EqualTo(Data), "stored uncompressed");
                Assert.That(TestData.Unzstd(first), Is.EqualTo(Data));
                Assert.That(TestData.Unzstd(fromOffset), Is.EqualTo(Data[100..]));
                Assert.That(TestData.Unzstd(again), Is.EqualTo(Data));
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public async Task Read_CompressedNameFromAnOffset_StartsAtTheUncompressedOffset()
    {
        Server.SetResource(TestData.BlobName(Data), Data);

        var wire = await ReadAsync(TestData.ZstdBlobName(Data), offset: 5000);

        Assert.That(TestData.Unzstd(wire), Is.EqualTo(Data[5000..]));
    }

    [Test]
    public async Task Read_CompressedNameWithALimit_IsInvalidArgument()
    {
        Server.SetResource(TestData.BlobName(Data), Data);

        Assert.That(await StatusOf(() => ReadAsync(TestData.ZstdBlobName(Data), limit: 10)), Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Read_CompressedNameIgnoringReadOffset_SendsTheWholeBlob()
    {
        Server.SetResource(TestData.BlobName(Data), Data);
        Server.Faults.IgnoreReadOffset = true;

        var wire = await ReadAsync(TestData.ZstdBlobName(Data), offset: 5000);

        Assert.That(TestData.Unzstd(wire), Is.EqualTo(Data));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Read_RepeatReadData_SendsTheDataTwice(bool compressed)
    {
        Server.SetResource(TestData.BlobName(Data), Data);
        Server.Faults.RepeatReadData = true;

        var wire = await ReadAsync(compressed ? TestData.ZstdBlobName(Data) : TestData.BlobName(Data), offset: 10);

        Assert.That(compressed ? TestData.Unzstd(wire) : wire, Is.EqualTo((byte[])[.. Data[10..], .. Data[10..]]));
    }

    [Test]
    public async Task Read_CompressedReadCutAfterSomeBytes_EndsWithTheStatusAfterThem()
    {
        Server.SetResource(TestData.BlobName(Data), Data);
        Server.Faults.CutRead(300);

        var (bytes, status) = await ReadMessagesUntilFailureAsync(TestData.ZstdBlobName(Data));

        Assert.That((bytes, status), Is.EqualTo((300L, StatusCode.Unavailable)), "marks count compressed bytes on the wire");
    }

    [Test]
    public async Task Read_UnknownBlob_IsNotFound() =>
        Assert.That(await StatusOf(() => ReadAsync(TestData.ZstdBlobName(Data))), Is.EqualTo(StatusCode.NotFound));

    [Test]
    public async Task AnyCall_OtherCompressor_IsInvalidArgument()
    {
        var name = $"test/compressed-blobs/deflate/{TestData.Sha256(Data)}/{Data.Length}";
        Server.SetResource(TestData.BlobName(Data), Data);

        Assert.That(await StatusOf(() => ReadAsync(name)), Is.EqualTo(StatusCode.InvalidArgument));
    }

    [TestCase(CompressedBlobSupport.Unimplemented, StatusCode.Unimplemented)]
    [TestCase(CompressedBlobSupport.InvalidArgument, StatusCode.InvalidArgument)]
    public async Task EveryMethod_ServerWithoutCompressedBlobs_FailsWithItsStatus(CompressedBlobSupport support, StatusCode expected)
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { CompressedBlobs = support }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);
        server.SetResource(TestData.BlobName(Data), Data);
        var upload = TestData.ZstdUploadName(Data);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await StatusOf(() => ReadMessagesAsync(stub, TestData.ZstdBlobName(Data))), Is.EqualTo(expected));
            Assert.That(await StatusOf(() => WriteAsync(stub, Requests(upload, Compressed))), Is.EqualTo(expected));
            Assert.That(await StatusOf(() => stub.QueryWriteStatusAsync(new() { ResourceName = upload }).ResponseAsync), Is.EqualTo(expected));
            Assert.That((await ReadMessagesAsync(stub, TestData.BlobName(Data))).Data, Is.EqualTo(Data), "plain names still work");
        });
    }

    [Test]
    public async Task EndWriteEarly_CompressedName_AnswersMinusOne()
    {
        Server.Faults.EndWriteEarly();

        var response = await WriteAsync(Requests(TestData.ZstdUploadName(Data), Compressed));

        Assert.That(response.CommittedSize, Is.EqualTo(-1));
    }

    [Test]
    public async Task ExistingBlob_EndEarlyOkServer_AnswersMinusOneForACompressedUpload()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ExistingResourceBehavior = ExistingResourceBehavior.EndEarlyOk }).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource(TestData.BlobName(Data), Data);

        var response = await WriteAsync(new Stub(channel), Requests(TestData.ZstdUploadName(Data), Compressed));

        Assert.That(response.CommittedSize, Is.EqualTo(-1));
        Assert.That(server.WriteRequests, Has.Count.EqualTo(1), "the server read nothing past the first request");
    }

    [Test]
    public async Task ReportUncompressedCommittedSize_CountsTheBlobsBytes()
    {
        // Large enough for several zstd blocks (128 KiB each): a cut in the middle leaves whole blocks decoded.
        var data = TestData.Text(1024 * 1024);
        var compressed = TestData.Zstd(data);
        var cut = compressed.Length / 2;
        var upload = TestData.ZstdUploadName(data);
        Server.Faults.ReportUncompressedCommittedSize = true;
        Server.Faults.CutWrite(cut);

        await StatusOf(() => WriteAsync(Requests(upload, compressed)));
        var (inProgress, _) = await QueryAsync(upload);
        var response = await WriteAsync(Requests(upload, compressed));

        Assert.Multiple(async () =>
        {
            Assert.That(inProgress, Is.GreaterThan(cut).And.LessThan(data.Length), "what the compressed bytes received decode to");
            Assert.That(response.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(await QueryAsync(upload), Is.EqualTo((data.LongLength, true)));
        });
    }

    [Test]
    public async Task DiscardData_CompressedUpload_IsDecodedAndReadsBackAsZeros()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { DiscardData = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var stub = new Stub(channel);

        var response = await WriteAsync(stub, Requests(TestData.ZstdUploadName(Data), Compressed));
        var back = (await ReadMessagesAsync(stub, TestData.BlobName(Data))).Data;

        Assert.That(response.CommittedSize, Is.EqualTo(Compressed.Length));
        Assert.That(back, Is.EqualTo(new byte[Data.Length]));
        Assert.That(await StatusOf(() => WriteAsync(stub, Requests(TestData.ZstdUploadName(Data), TestData.Random(100)))), Is.EqualTo(StatusCode.InvalidArgument), "still decoded");
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task VerifyUploadDigests_MatchingUpload_IsStored(bool compressed)
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { VerifyUploadDigests = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var upload = compressed ? TestData.ZstdUploadName(Data) : BlobResourceName.Parse(TestData.BlobName(Data)).ToUploadResourceName(Guid.NewGuid());

        await WriteAsync(new Stub(channel), Requests(upload, compressed ? Compressed : Data));

        Assert.That(server.TryGetResource(TestData.BlobName(Data), out var stored), Is.True, "a complete resource");
        Assert.That(stored, Is.EqualTo(Data));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task VerifyUploadDigests_OtherDataOfTheSameSize_IsInvalidArgumentNamingBothDigests(bool compressed)
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { VerifyUploadDigests = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var other = TestData.Text(Data.Length, seed: 2);
        var upload = compressed ? TestData.ZstdUploadName(Data) : BlobResourceName.Parse(TestData.BlobName(Data)).ToUploadResourceName(Guid.NewGuid());

        var error = Assert.ThrowsAsync<RpcException>(() => WriteAsync(new Stub(channel), Requests(upload, compressed ? TestData.Zstd(other) : other)));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.InvalidArgument));
        Assert.That(error.Status.Detail, Does.Contain(TestData.Sha256(other)).And.Contain(TestData.Sha256(Data)));
        Assert.That(server.TryGetResource(TestData.BlobName(Data), out _), Is.False);
    }

    [Test]
    public async Task VerifyUploadDigests_Blake3Name_IsChecked()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { VerifyUploadDigests = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var blake3 = Convert.ToHexStringLower(Blake3.Hasher.Hash(Data).AsSpan());
        var good = $"i/uploads/{Guid.NewGuid()}/blobs/blake3/{blake3}/{Data.Length}";
        var bad = $"i/uploads/{Guid.NewGuid()}/blobs/blake3/{TestData.Sha256(Data)}/{Data.Length}";

        await WriteAsync(new Stub(channel), Requests(good, Data));

        Assert.That(server.TryGetResource($"i/blobs/blake3/{blake3}/{Data.Length}", out _), Is.True);
        Assert.That(await StatusOf(() => WriteAsync(new Stub(channel), Requests(bad, Data))), Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public void VerifyUploadDigests_WithDiscardData_IsRefusedAtStart() =>
        Assert.ThrowsAsync<ArgumentException>(() => ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { VerifyUploadDigests = true, DiscardData = true }));

    private async Task<(long Bytes, StatusCode Status)> ReadMessagesUntilFailureAsync(string name)
    {
        using var call = Client.Read(new() { ResourceName = name });
        long bytes = 0;
        try
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None).DefaultTimeout())
            {
                bytes += call.ResponseStream.Current.Data.Length;
            }
        }
        catch (RpcException exception)
        {
            return (bytes, exception.StatusCode);
        }

        throw new AssertionException("The read was expected to fail.");
    }
}
