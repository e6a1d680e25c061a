using Bytestream.Testing;
using static Bytestream.Client.Tests.Write.UploadTests;
using Grpc.Core;

namespace Bytestream.Client.Tests.Reapi;

/// <summary>
/// compressed-blobs/zstd/ end to end against the test server, which stores blobs uncompressed: every upload source and
/// every read path, through cuts, early ends and hostile servers, checked by SHA-256 of what the server stored or the
/// caller got.
/// </summary>
public class CompressedBlobRoundTripTests : ServerTestBase
{
    private const int Size = (3 * 1024 * 1024) + 17;
    private static readonly byte[] Text = TestData.Text(Size);

    [TestCase(Source.Memory)]
    [TestCase(Source.SeekableStream)]
    [TestCase(Source.NonSeekableStream)]
    [TestCase(Source.WriteStream)]
    public async Task Upload_CompressedName_ServerStoresTheBlobAndTheWireCarriesLess(Source source)
    {
        var result = await UploadAsync(CreateClient(), source, TestData.ZstdUploadName(Text), Text).DefaultTimeout();

        Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(Text))), Is.EqualTo(TestData.Sha256(Text)));
        Assert.That(result.CommittedSize, Is.EqualTo(Text.Length), "the uncompressed size");
        Assert.That(result.CompressedSize, Is.LessThan(Text.Length / 3), "source-like text compresses");
        Assert.That(result.BytesSent, Is.EqualTo(result.CompressedSize), "no resend");
        Assert.That(Server.WriteRequests.Sum(r => (long)r.DataLength), Is.LessThan(Text.Length / 3));
    }

    [TestCase(Source.Memory)]
    [TestCase(Source.SeekableStream)]
    [TestCase(Source.NonSeekableStream)]
    [TestCase(Source.WriteStream)]
    public async Task Upload_CompressedNameCutTwice_StartsAgainAtZeroEachTime(Source source)
    {
        Server.Faults.CutWrite(64 * 1024, times: 2);
        Server.Faults.CommitLag = 1000;

        await UploadAsync(CreateClient(), source, TestData.ZstdUploadName(Text), Text).DefaultTimeout();

        Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(Text))), Is.EqualTo(TestData.Sha256(Text)));
        var calls = Server.WriteRequests.GroupBy(r => r.CallId).Select(call => call.First()).ToList();
        Assert.That(calls.Select(c => c.WriteOffset), Is.EqualTo(new long[] { 0, 0, 0 }), "a compressed upload never resumes mid-stream");
        Assert.That(calls.Select(c => c.ResourceName).Distinct().Count(), Is.EqualTo(3), "the server kept bytes of each: a new upload id for every restart");
        Assert.That(calls.Select(c => BlobResourceName.Parse(c.ResourceName)).Distinct().Count(), Is.EqualTo(1), "of the same blob");
    }

    [TestCase(Source.Memory)]
    [TestCase(Source.NonSeekableStream)]
    [TestCase(Source.WriteStream)]
    public async Task Upload_CompressedNameCutOnAServerThatDoesNotRewind_FinishesUnderANewUploadId(Source source)
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { RequireWriteOffsetAtCommittedSize = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        server.Faults.CutWrite(64 * 1024);

        var result = await UploadAsync(client, source, TestData.ZstdUploadName(Text), Text).DefaultTimeout();

        Assert.That(result.Resumes, Is.EqualTo(1));
        Assert.That(server.TryGetResource(TestData.BlobName(Text), out var stored), Is.True, "a complete resource");
        Assert.That(stored, Is.EqualTo(Text));
        Assert.That(server.Calls.Where(c => c.Method == ByteStreamMethod.Write).Select(c => c.Status), Is.EqualTo(new StatusCode?[] { StatusCode.Unavailable, StatusCode.OK }));
    }

    [Test]
    public async Task UploadAsync_ResumeExistingUploadOfAPartlyCommittedCompressedUpload_StartsAgainUnderANewUploadId()
    {
        var name = TestData.ZstdUploadName(Text);
        var client = CreateClient(o => o.RetryPipeline = Polly.ResiliencePipeline.Empty);
        Server.Faults.CutWrite(64 * 1024, times: 2);   // the first restart counts as progress; the second cut ends it
        Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(name, Text));
        Assert.That(Server.TryGetWriteStatus(name, out var kept, out _), Is.True, "the server knows the upload");
        Assert.That(kept, Is.GreaterThan(0), "the server keeps part of it");
        Server.Faults.Clear();

        var result = await client.UploadAsync(name, Text, new UploadOptions { ResumeExistingUpload = true }).DefaultTimeout();

        var last = Server.WriteRequests[^1];
        Assert.Multiple(() =>
        {
            Assert.That(result.CommittedSize, Is.EqualTo(Text.Length));
            Assert.That(last.ResourceName, Is.Not.EqualTo(name), "a new upload id");
            Assert.That(BlobResourceName.Parse(last.ResourceName), Is.EqualTo(BlobResourceName.Parse(name)), "the same blob");
            Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(Text))), Is.EqualTo(TestData.Sha256(Text)));
        });
    }

    [Test]
    public async Task UploadAsync_ServerReportsUncompressedCommittedSizes_StillStoresTheBlob()
    {
        Server.Faults.ReportUncompressedCommittedSize = true;
        Server.Faults.CutWrite(200 * 1024);

        var result = await CreateClient().UploadAsync(TestData.ZstdUploadName(Text), new ForwardOnlyReadStream(Text)).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(Text.Length));
        Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(Text))), Is.EqualTo(TestData.Sha256(Text)));
    }

    [Test]
    public async Task UploadAsync_ServerEndsEarlyWithMinusOne_IsSuccessWithoutReadingTheSource()
    {
        Server.Faults.EndWriteEarly();
        var source = new ForwardOnlyReadStream(Text);

        var result = await CreateClient().UploadAsync(TestData.ZstdUploadName(Text), source).DefaultTimeout();

        Assert.That(result.CommittedSize, Is.EqualTo(Text.Length));
        Assert.That(Server.WriteRequests, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task UploadAsync_ServerVerifiesDigests_AcceptsTheCompressedUpload()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { VerifyUploadDigests = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel);

        await client.UploadAsync(TestData.ZstdUploadName(Text), Text).DefaultTimeout();

        Assert.That(server.TryGetResource(TestData.BlobName(Text), out var stored), Is.True, "a complete resource");
        Assert.That(stored, Is.EqualTo(Text));
    }

    [Test]
    public async Task UploadAsync_AutoCompressionOfAPlainName_GoesAsZstd()
    {
        var client = CreateClient(o => o.Compression = BlobCompression.Auto);
        var upload = BlobResourceName.Parse(TestData.BlobName(Text)).ToUploadResourceName(Guid.NewGuid());

        await client.UploadAsync(upload, new MemoryStream(Text)).DefaultTimeout();

        Assert.That(Server.WriteRequests[0].ResourceName, Does.Contain("/compressed-blobs/zstd/"));
        Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(Text))), Is.EqualTo(TestData.Sha256(Text)));
    }

    [Test]
    public async Task UploadAsync_AutoCompressionOfRandomData_GoesAsItIs([Values(Source.Memory, Source.SeekableStream, Source.NonSeekableStream)] Source source)
    {
        // zstd makes random bytes longer (4,096 went out as 4,112): Auto looks at the first bytes and sends them plain.
        var data = TestData.Random(300_000);
        var upload = BlobResourceName.Parse(TestData.BlobName(data)).ToUploadResourceName(Guid.NewGuid());

        var result = await UploadAsync(CreateClient(o => o.Compression = BlobCompression.Auto), source, upload, data).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(Server.WriteRequests.Select(r => r.ResourceName), Is.All.EqualTo(upload));
            Assert.That(result.CompressedSize, Is.Null);
            Assert.That(result.BytesSent, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(data))), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task UploadAsync_AutoCompressionOfText_GoesAsZstdFromEverySource([Values(Source.Memory, Source.SeekableStream, Source.NonSeekableStream)] Source source)
    {
        var upload = BlobResourceName.Parse(TestData.BlobName(Text)).ToUploadResourceName(Guid.NewGuid());

        var result = await UploadAsync(CreateClient(o => o.Compression = BlobCompression.Auto), source, upload, Text).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(Server.WriteRequests.Select(r => r.ResourceName), Is.All.Contain("/compressed-blobs/zstd/"));
            Assert.That(result.CompressedSize, Is.LessThan(Text.Length / 2));
            Assert.That(TestData.Sha256(StoredResource(TestData.BlobName(Text))), Is.EqualTo(TestData.Sha256(Text)), "the first bytes, looked at, are sent too");
        });
    }

    [TestCase(CompressedBlobSupport.Unimplemented)]
    [TestCase(CompressedBlobSupport.InvalidArgument)]
    public async Task AutoCompression_ServerWithoutZstd_FallsBackToPlainNamesBothWays(CompressedBlobSupport support)
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { CompressedBlobs = support }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { Compression = BlobCompression.Zstd });
        var upload = BlobResourceName.Parse(TestData.BlobName(Text)).ToUploadResourceName(Guid.NewGuid());

        await client.UploadAsync(upload, new MemoryStream(Text)).DefaultTimeout();
        var back = await client.ReadAllBytesAsync(TestData.BlobName(Text)).DefaultTimeout();

        Assert.That(TestData.Sha256(back), Is.EqualTo(TestData.Sha256(Text)));
        Assert.That(server.Calls.Count(c => c.ResourceName.Contains("compressed-blobs", StringComparison.Ordinal)), Is.EqualTo(1), "one refusal, then plain names");
    }

    [Test]
    public void UploadAsync_CallersCompressedNameOnAServerWithoutZstd_SurfacesTheServersStatus()
    {
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unimplemented);

        var error = Assert.ThrowsAsync<RpcException>(() => CreateClient().UploadAsync(TestData.ZstdUploadName(Text), Text));

        Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Unimplemented));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task Read_CompressedNameCutTwice_ResumesAndReturnsTheBlob(bool stream)
    {
        Server.SetResource(TestData.BlobName(Text), Text);
        Server.Faults.CutRead(100 * 1024, times: 2);
        var client = CreateClient(out var recorder);

        var back = await ReadAsync(client, TestData.ZstdBlobName(Text), stream).DefaultTimeout();

        Assert.That(TestData.Sha256(back), Is.EqualTo(TestData.Sha256(Text)));
        Assert.That(recorder.Requests, Has.Count.EqualTo(3));
        var resumedAt = recorder.Requests.Skip(1).Select(r => r.ReadOffset).ToList();
        Assert.That(resumedAt, Is.All.GreaterThan(0), "resumed at uncompressed offsets");
        Assert.That(resumedAt, Is.Ordered.Ascending);
        Assert.That(recorder.Requests.Select(r => r.ReadLimit), Is.All.EqualTo(0));
    }

    [Test]
    public async Task DownloadAsync_AutoCompressionOfAPlainName_ReadsZstdAndWritesThePlainBytes()
    {
        Server.SetResource(TestData.BlobName(Text), Text);
        var client = CreateClient(o => o.Compression = BlobCompression.Auto);
        using var destination = new MemoryStream();

        await client.DownloadAsync(TestData.BlobName(Text), destination).DefaultTimeout();

        Assert.That(TestData.Sha256(destination.ToArray()), Is.EqualTo(TestData.Sha256(Text)));
        Assert.That(Server.Calls.Single().ResourceName, Is.EqualTo(TestData.ZstdBlobName(Text)));
    }

    [Test]
    public void ReadAllBytesAsync_ResumedCompressedReadIgnoringReadOffset_ThrowsAndReturnsNothing()
    {
        Server.SetResource(TestData.BlobName(Text), Text);
        Server.Faults.CutRead(100 * 1024);
        Server.Faults.IgnoreReadOffset = true;

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().ReadAllBytesAsync(TestData.ZstdBlobName(Text)));

        Assert.That(error!.Message, Does.Contain("ignored read_offset"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Read_CompressedBlobSentTwice_Throws(bool stream)
    {
        Server.SetResource(TestData.BlobName(Text), Text);
        Server.Faults.RepeatReadData = true;

        Assert.ThrowsAsync<ByteStreamException>(() => ReadAsync(CreateClient(), TestData.ZstdBlobName(Text), stream));
    }

    [Test]
    public void ReadAllBytesAsync_CorruptBlobServedCompressed_ThrowsNamingBothDigests()
    {
        var other = TestData.Text(Size, seed: 2);
        Server.SetResource(TestData.BlobName(Text), other);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => CreateClient().ReadAllBytesAsync(TestData.ZstdBlobName(Text)));

        Assert.That(error!.Message, Does.Contain(TestData.Sha256(Text)).And.Contain(TestData.Sha256(other)));
    }

    [Test]
    public async Task RoundTrip_RandomBytesThroughZstd_ComeBackTheSame()
    {
        var random = TestData.Random(Size);
        var client = CreateClient();

        await client.UploadAsync(TestData.ZstdUploadName(random), new ForwardOnlyReadStream(random)).DefaultTimeout();
        var back = await client.ReadAllBytesAsync(TestData.ZstdBlobName(random)).DefaultTimeout();

        Assert.That(TestData.Sha256(back), Is.EqualTo(TestData.Sha256(random)));
    }

    private static async Task<byte[]> ReadAsync(ByteStreamClient client, string name, bool stream)
    {
        if (!stream)
        {
            return await client.ReadAllBytesAsync(name);
        }

        await using var remote = client.OpenRead(name);
        using var copy = new MemoryStream();
        await remote.CopyToAsync(copy);
        return copy.ToArray();
    }
}
