using Bytestream.Testing;
using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Tests.Testing;

/// <summary>The test server's Write faults: cuts, lagging commits, early ends, hostile final sizes.</summary>
public class TestServerWriteFaultTests : TestServerFixture
{
    [Test]
    public async Task CutWrite_MidRequest_KeepsExactlyAfterBytesAndFailsWithStatus()
    {
        var data = TestData.Random(4 * Chunk);
        Server.Faults.CutWrite(Chunk + 100, StatusCode.Internal);

        var status = await StatusOf(() => UploadAsync("blobs/cut", data));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Internal));
            Assert.That(TrueStatus("blobs/cut"), Is.EqualTo((Chunk + 100L, false)));
            Assert.That(Server.Calls.Single().Status, Is.EqualTo(StatusCode.Internal));
        });
    }

    [Test]
    public async Task CutWrite_AtRequestBoundary_KeepsWholeRequestsOnly()
    {
        Server.Faults.CutWrite(2 * Chunk);

        var status = await StatusOf(() => UploadAsync("blobs/boundary", TestData.Random(4 * Chunk)));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(TrueStatus("blobs/boundary"), Is.EqualTo((2L * Chunk, false)));
        });
    }

    [Test]
    public async Task CutWrite_CallThatNeverCrossesTheMark_IsNotCutAndLeavesFaultArmed()
    {
        var small = TestData.Random(Chunk);
        Server.Faults.CutWrite(Chunk);

        await UploadAsync("blobs/small", small);
        var status = await StatusOf(() => UploadAsync("blobs/large", TestData.Random(Chunk + 1)));

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(Stored("blobs/small")), Is.EqualTo(TestData.Sha256(small)));
            Assert.That(status, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(TrueStatus("blobs/large"), Is.EqualTo(((long)Chunk, false)));
        });
    }

    [Test]
    public async Task CutWrite_Times_CutsEachResumedCallAfterItsOwnBytes()
    {
        var data = TestData.Random((10 * Chunk) + 7);
        var cut = (3 * Chunk) + 5;
        Server.Faults.CutWrite(cut, times: 3);

        var failures = 0;
        long offset = 0;
        while (true)
        {
            try
            {
                await WriteAsync(Requests("blobs/periodic", data.AsMemory((int)offset), offset));
                break;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.Unavailable && failures < 10)
            {
                failures++;
                offset = (await QueryAsync("blobs/periodic")).CommittedSize;
            }
        }

        var firstOffsets = Server.WriteRequests.GroupBy(r => r.CallId).Select(g => g.First().WriteOffset);
        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.EqualTo(3));
            Assert.That(firstOffsets, Is.EqualTo(new long[] { 0, cut, 2 * cut, 3 * cut }));
            Assert.That(TestData.Sha256(Stored("blobs/periodic")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task CutWrite_ForOneResourceName_LeavesOtherNamesAlone()
    {
        var other = TestData.Random(3 * Chunk);
        Server.Faults.CutWrite(10, resourceName: "blobs/target");

        await UploadAsync("blobs/other", other);
        var status = await StatusOf(() => UploadAsync("blobs/target", TestData.Random(3 * Chunk)));

        Assert.Multiple(() =>
        {
            Assert.That(TestData.Sha256(Stored("blobs/other")), Is.EqualTo(TestData.Sha256(other)));
            Assert.That(status, Is.EqualTo(StatusCode.Unavailable));
            Assert.That(TrueStatus("blobs/target"), Is.EqualTo((10L, false)));
        });
    }

    [Test]
    public async Task CommitLag_CutCall_KeepsReceivedLessLag()
    {
        Server.Faults.CommitLag = 1000;
        Server.Faults.CutWrite(2 * Chunk);

        await StatusOf(() => UploadAsync("blobs/lag", TestData.Random(4 * Chunk)));

        Assert.That(TrueStatus("blobs/lag"), Is.EqualTo(((2L * Chunk) - 1000, false)));
    }

    [Test]
    public async Task CommitLag_ResumedCallCutEarly_NeverDropsBelowItsStartOffset()
    {
        var data = TestData.Random(4 * Chunk);
        await WriteAsync(Requests("blobs/lag-floor", data.AsMemory(0, Chunk), finish: false));
        Server.Faults.CommitLag = 10 * Chunk;
        Server.Faults.CutWrite(100);

        await StatusOf(() => WriteAsync(Requests("blobs/lag-floor", data.AsMemory(Chunk), offset: Chunk)));

        Assert.That(TrueStatus("blobs/lag-floor"), Is.EqualTo(((long)Chunk, false)));
    }

    [Test]
    public async Task CommitLag_ProtocolErrorMidCall_AlsoLags()
    {
        Server.Faults.CommitLag = 500;
        var requests = Requests("blobs/lag-error", TestData.Random(3 * Chunk));
        requests[2].WriteOffset = 0;

        var status = await StatusOf(() => WriteAsync(requests));

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
            Assert.That(TrueStatus("blobs/lag-error"), Is.EqualTo(((2L * Chunk) - 500, false)));
        });
    }

    [Test]
    public async Task CommitLag_CallEndingCleanlyWithoutFinish_KeepsEverything()
    {
        Server.Faults.CommitLag = 500;

        var response = await WriteAsync(Requests("blobs/lag-clean", TestData.Random(2 * Chunk), finish: false));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(2 * Chunk));
            Assert.That(TrueStatus("blobs/lag-clean"), Is.EqualTo((2L * Chunk, false)));
        });
    }

    [Test]
    public async Task CommitOnlyOnFinish_CallWithoutFinish_LosesTheWholeUpload()
    {
        Server.Faults.CommitOnlyOnFinish = true;

        var response = await WriteAsync(Requests("blobs/commit-on-finish", TestData.Random(3 * Chunk), finish: false));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.CommittedSize, Is.Zero);
            Assert.That(await QueryAsync("blobs/commit-on-finish"), Is.EqualTo((0L, false)));
            Assert.That(await StatusOf(() => WriteAsync(Requests("blobs/commit-on-finish", TestData.Random(10), offset: 10))), Is.EqualTo(StatusCode.FailedPrecondition));
        });
    }

    [Test]
    public async Task CommitOnlyOnFinish_CutCall_LosesTheWholeUploadAndRestartSucceeds()
    {
        var data = TestData.Random(3 * Chunk);
        Server.Faults.CommitOnlyOnFinish = true;
        Server.Faults.CutWrite(2 * Chunk);

        await StatusOf(() => UploadAsync("blobs/commit-cut", data));
        var afterCut = TrueStatus("blobs/commit-cut");
        await UploadAsync("blobs/commit-cut", data);

        Assert.Multiple(() =>
        {
            Assert.That(afterCut, Is.EqualTo((0L, false)));
            Assert.That(TestData.Sha256(Stored("blobs/commit-cut")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task EndWriteEarly_NothingStored_AnswersMinusOneAndStoresNothing()
    {
        Server.Faults.EndWriteEarly();

        var response = await UploadAsync("blobs/early", TestData.Random(8 * Chunk));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(-1));
            Assert.That(Server.TryGetWriteStatus("blobs/early", out _, out _), Is.False);
            Assert.That(Server.WriteRequests.Count, Is.LessThan(8), "the server stops reading after the first request");
            Assert.That(Server.Calls.Single().Status, Is.EqualTo(StatusCode.OK));
        });
    }

    [Test]
    public async Task EndWriteEarly_ResourceStored_AnswersItsSize()
    {
        Server.SetResource("blobs/early-stored", TestData.Random(1234));
        Server.Faults.EndWriteEarly();

        var response = await UploadAsync("blobs/early-stored", TestData.Random(Chunk));

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(1234));
            Assert.That(Stored("blobs/early-stored"), Has.Length.EqualTo(1234));
        });
    }

    [Test]
    public async Task EndWriteEarly_ExplicitSizeForOneNameAndTimes_AppliesToThatManyCallsOnThatName()
    {
        var data = TestData.Random(Chunk);
        Server.Faults.EndWriteEarly(times: 2, committedSize: 77, resourceName: "blobs/early-named");

        var other = await UploadAsync("blobs/early-other", data);
        var first = await UploadAsync("blobs/early-named", data);
        var second = await UploadAsync("blobs/early-named", data);
        var third = await UploadAsync("blobs/early-named", data);

        Assert.Multiple(() =>
        {
            Assert.That(other.CommittedSize, Is.EqualTo(Chunk));
            Assert.That(first.CommittedSize, Is.EqualTo(77));
            Assert.That(second.CommittedSize, Is.EqualTo(77));
            Assert.That(third.CommittedSize, Is.EqualTo(Chunk));
            Assert.That(TestData.Sha256(Stored("blobs/early-named")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task FinalCommittedSizeDelta_FinishedWrite_MisreportsSizeButStoresTheBytes()
    {
        var data = TestData.Random(Chunk);
        Server.Faults.FinalCommittedSizeDelta = -3;

        var finished = await UploadAsync("blobs/delta", data);
        var unfinished = await WriteAsync(Requests("blobs/delta-unfinished", data, finish: false));

        Assert.Multiple(() =>
        {
            Assert.That(finished.CommittedSize, Is.EqualTo(Chunk - 3));
            Assert.That(unfinished.CommittedSize, Is.EqualTo(Chunk), "only the final response is distorted");
            Assert.That(TestData.Sha256(Stored("blobs/delta")), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public void Faults_InvalidArguments_Throw()
    {
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Server.Faults.CutWrite(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => Server.Faults.CutWrite(1, times: 0));
            Assert.Throws<ArgumentException>(() => Server.Faults.CutWrite(1, StatusCode.OK));
            Assert.Throws<ArgumentException>(() => Server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.OK));
            Assert.Throws<ArgumentOutOfRangeException>(() => Server.Faults.StallNext((ByteStreamMethod)42));
            Assert.Throws<ArgumentOutOfRangeException>(() => Server.Faults.CommitLag = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => Server.Faults.EmptyReadResponsesBeforeEachChunk = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => Server.Faults.QueryWriteStatusMode = (QueryWriteStatusMode)42);
        });
    }

    [Test]
    public async Task Clear_ArmedFaultsAndSettings_AreGone()
    {
        var data = TestData.Random(2 * Chunk);
        Server.Faults.CutWrite(0);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Internal);
        Server.Faults.CommitOnlyOnFinish = true;
        Server.Faults.FinalCommittedSizeDelta = 5;

        Server.Faults.Clear();
        var response = await UploadAsync("blobs/cleared", data);

        Assert.Multiple(() =>
        {
            Assert.That(response.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(Server.Faults.CommitOnlyOnFinish, Is.False);
            Assert.That(Server.Faults.FinalCommittedSizeDelta, Is.Zero);
        });
    }
}
