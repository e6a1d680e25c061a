using Bytestream.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Tests.Testing;

/// <summary>The test server's Write semantics, without faults: what a spec-following server does.</summary>
public class TestServerWriteTests : TestServerFixture
{
    [Test]
    public async Task Write_FinishedUpload_StoresIdenticalBytesThatReadReturns()
    {
        var data = TestData.Random((5 * Chunk) + 3);

        var response = await UploadAsync("blobs/round-trip", data);
        var read = await ReadAsync("blobs/round-trip");

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(Stored("blobs/round-trip")), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(TestData.Sha256(read), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(TrueStatus("blobs/round-trip"), Is.EqualTo((data.Length, true)));
        });
    }

    [Test]
    public async Task Write_ZeroByteFinishedUpload_StoresEmptyResource()
    {
        var response = await WriteAsync([new WriteRequest { ResourceName = "blobs/empty", FinishWrite = true }]);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.CommittedSize, Is.Zero);
            Assert.That(Stored("blobs/empty"), Is.Empty);
            Assert.That(await QueryAsync("blobs/empty"), Is.EqualTo((0L, true)));
            Assert.That(await ReadAsync("blobs/empty"), Is.Empty);
        });
    }

    [Test]
    public async Task Write_EndsWithoutFinishWrite_AnswersOkWithCommittedSizeAndKeepsTheBytes()
    {
        var data = TestData.Random(3 * Chunk);

        var response = await WriteAsync(Requests("blobs/unfinished", data, finish: false));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(await QueryAsync("blobs/unfinished"), Is.EqualTo((3L * Chunk, false)));
            Assert.That(Server.TryGetResource("blobs/unfinished", out _), Is.False);
            Assert.That(await StatusOf(() => ReadAsync("blobs/unfinished")), Is.EqualTo(StatusCode.NotFound));
        });
    }

    [Test]
    public async Task Write_ResumedAtCommittedSize_CompletesTheResource()
    {
        var data = TestData.Random(4 * Chunk);
        await WriteAsync(Requests("blobs/resume", data.AsMemory(0, Chunk + 10), finish: false));

        var response = await WriteAsync(Requests("blobs/resume", data.AsMemory(Chunk + 10), offset: Chunk + 10));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(Stored("blobs/resume")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task Write_LowerOffsetThanCommitted_TruncatesAndResends()
    {
        var data = TestData.Random(4 * Chunk);
        var stale = TestData.Random(3 * Chunk, seed: 99);
        await WriteAsync(Requests("blobs/truncate", stale, finish: false));

        // Resend from Chunk: the server forgets what it held beyond that offset.
        await WriteAsync(Requests("blobs/truncate", data.AsMemory(0, Chunk), finish: false));
        var resumed = await WriteAsync(Requests("blobs/truncate", data.AsMemory(Chunk, 5), offset: Chunk, finish: false));
        Assert.That(resumed.CommittedSize, Is.EqualTo(Chunk + 5));

        await WriteAsync(Requests("blobs/truncate", data.AsMemory(Chunk + 5), offset: Chunk + 5));

        Assert.That(TestData.Sha256(Stored("blobs/truncate")), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task Write_OffsetZeroOnUnfinishedUpload_StartsAgain()
    {
        var data = TestData.Random(2 * Chunk);
        await WriteAsync(Requests("blobs/restart", TestData.Random(3 * Chunk, seed: 3), finish: false));

        await UploadAsync("blobs/restart", data);

        Assert.That(TestData.Sha256(Stored("blobs/restart")), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task Write_FirstOffsetBeyondCommittedSize_FailsWithFailedPrecondition()
    {
        await WriteAsync(Requests("blobs/beyond", TestData.Random(100), finish: false));

        var status = await StatusOf(() => WriteAsync(Requests("blobs/beyond", TestData.Random(10), offset: 101)));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.FailedPrecondition));
            Assert.That(TrueStatus("blobs/beyond"), Is.EqualTo((100L, false)));
        });
    }

    [Test]
    public async Task Write_FirstOffsetAboveZeroOnUnknownName_FailsWithFailedPrecondition()
    {
        var status = await StatusOf(() => WriteAsync(Requests("blobs/unknown", TestData.Random(10), offset: 5)));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.FailedPrecondition));
            Assert.That(Server.TryGetWriteStatus("blobs/unknown", out _, out _), Is.False);
        });
    }

    [Test]
    public async Task Write_NegativeFirstOffset_FailsWithInvalidArgument()
    {
        var status = await StatusOf(() => WriteAsync(Requests("blobs/negative", TestData.Random(10), offset: -1)));

        Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Write_GapBetweenRequests_FailsWithInvalidArgumentAndKeepsWhatCameBefore()
    {
        var requests = Requests("blobs/gap", TestData.Random(3 * Chunk));
        requests[1].WriteOffset += 1;

        var status = await StatusOf(() => WriteAsync(requests));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(TrueStatus("blobs/gap"), Is.EqualTo(((long)Chunk, false)));
        });
    }

    [Test]
    public async Task Write_FirstRequestWithoutResourceName_FailsWithInvalidArgument()
    {
        var requests = Requests(string.Empty, TestData.Random(10));

        var status = await StatusOf(() => WriteAsync(requests));

        Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Write_NoRequestAtAll_FailsWithInvalidArgument()
    {
        var status = await StatusOf(() => WriteAsync([]));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(Server.Calls.Single().ResourceName, Is.Empty);
        });
    }

    [Test]
    public async Task Write_LaterRequestWithOtherResourceName_FailsWithInvalidArgument()
    {
        var requests = Requests("blobs/one", TestData.Random(2 * Chunk));
        requests[1].ResourceName = "blobs/other";

        var status = await StatusOf(() => WriteAsync(requests));

        Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Write_LaterRequestsWithoutResourceName_AreAcceptedByDefault()
    {
        var data = TestData.Random(3 * Chunk);
        var requests = Requests("blobs/name-once", data);
        requests[1].ResourceName = string.Empty;
        requests[2].ResourceName = string.Empty;

        await WriteAsync(requests);

        Assert.That(TestData.Sha256(Stored("blobs/name-once")), Is.EqualTo(TestData.Sha256(data)));
    }

    [Test]
    public async Task Write_LaterRequestWithoutNameWhenRequiredOnEveryRequest_FailsWithInvalidArgument()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { RequireResourceNameOnEveryRequest = true }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var requests = Requests("blobs/name-every", TestData.Random(2 * Chunk));
        requests[1].ResourceName = string.Empty;

        var status = await StatusOf(() => WriteAsync(new ByteStream.ByteStreamClient(channel), requests));

        Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
    }

    [Test]
    public async Task Write_RequestAfterFinishWrite_FailsWithInvalidArgumentButKeepsTheResource()
    {
        var data = TestData.Random(Chunk);
        var requests = Requests("blobs/after-finish", data);
        requests.Add(new WriteRequest { ResourceName = "blobs/after-finish", WriteOffset = Chunk, Data = ByteString.CopyFrom(1, 2) });

        var status = await StatusOf(() => WriteAsync(requests));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(TestData.Sha256(Stored("blobs/after-finish")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task Write_MessageOverMaxReceiveMessageSize_FailsWithResourceExhausted()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { MaxReceiveMessageSize = 1024 }).DefaultTimeout();
        using var channel = server.CreateChannel();

        var status = await StatusOf(() => WriteAsync(new ByteStream.ByteStreamClient(channel), Requests("blobs/big", TestData.Random(2048), chunk: 2048)));

        Assert.That(status, Is.EqualTo(StatusCode.ResourceExhausted));
    }

    [Test]
    public async Task Write_OverStoredResourceByDefault_ReplacesItOnlyWhenFinished()
    {
        var old = TestData.Random(100, seed: 1);
        var replacement = TestData.Random(2 * Chunk, seed: 2);
        Server.SetResource("blobs/replace", old);

        await WriteAsync(Requests("blobs/replace", replacement.AsMemory(0, Chunk), finish: false));
        var whileUploading = await ReadAsync("blobs/replace");
        await WriteAsync(Requests("blobs/replace", replacement.AsMemory(Chunk), offset: Chunk));

        Assert.Multiple(() =>
        {
            Assert.That(whileUploading, Is.EqualTo(old));
            Assert.That(TestData.Sha256(Stored("blobs/replace")), Is.EqualTo(TestData.Sha256(replacement)));
        });
    }

    [Test]
    public async Task Write_ExistingResourceEndEarlyOk_AnswersStoredSizeAndKeepsResource()
    {
        var stored = TestData.Random(300);
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ExistingResourceBehavior = ExistingResourceBehavior.EndEarlyOk }).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("blobs/exists", stored);

        var response = await WriteAsync(new ByteStream.ByteStreamClient(channel), Requests("blobs/exists", TestData.Random(8 * Chunk, seed: 5)));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(300));
            Assert.That(server.TryGetResource("blobs/exists", out var data) ? data : null, Is.EqualTo(stored));
            Assert.That(server.Calls.Single().Status, Is.EqualTo(StatusCode.OK));
        });
    }

    [TestCase(ExistingResourceBehavior.AlreadyExists, StatusCode.AlreadyExists)]
    [TestCase(ExistingResourceBehavior.Reject, StatusCode.InvalidArgument)]
    public async Task Write_ExistingResourceRefused_FailsWithStatusAndKeepsResource(ExistingResourceBehavior behavior, StatusCode expected)
    {
        var stored = TestData.Random(300);
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ExistingResourceBehavior = behavior }).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("blobs/exists", stored);

        var status = await StatusOf(() => WriteAsync(new ByteStream.ByteStreamClient(channel), Requests("blobs/exists", TestData.Random(Chunk, seed: 5))));
        var other = await WriteAsync(new ByteStream.ByteStreamClient(channel), Requests("blobs/new", TestData.Random(10)));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(expected));
            Assert.That(server.TryGetResource("blobs/exists", out var data) ? data : null, Is.EqualTo(stored));
            Assert.That(other.CommittedSize, Is.EqualTo(10), "a new name is not affected");
        });
    }
}
