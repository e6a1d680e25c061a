using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Testing;

/// <summary>The test server's QueryWriteStatus: the spec's answers, real servers' modes, and the distorting hook.</summary>
public class TestServerQueryWriteStatusTests : TestServerFixture
{
    [Test]
    public async Task QueryWriteStatus_UnknownName_FailsWithNotFound()
    {
        var status = await StatusOf(() => QueryAsync("blobs/never"));

        Assert.That(status, Is.EqualTo(StatusCode.NotFound));
    }

    [Test]
    public async Task QueryWriteStatus_UploadInProgress_ReportsCommittedIncomplete()
    {
        await WriteAsync(Requests("blobs/progress", TestData.Random(Chunk + 9), finish: false));

        var answer = await QueryAsync("blobs/progress");

        Assert.That(answer, Is.EqualTo((Chunk + 9L, false)));
    }

    [Test]
    public async Task QueryWriteStatus_StoredResource_ReportsSizeComplete()
    {
        Server.SetResource("blobs/stored", TestData.Random(321));
        await UploadAsync("blobs/uploaded", TestData.Random(123));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await QueryAsync("blobs/stored"), Is.EqualTo((321L, true)));
            Assert.That(await QueryAsync("blobs/uploaded"), Is.EqualTo((123L, true)));
        });
    }

    [TestCase(QueryWriteStatusMode.NotFound, StatusCode.NotFound)]
    [TestCase(QueryWriteStatusMode.Unimplemented, StatusCode.Unimplemented)]
    public async Task QueryWriteStatus_FailingMode_FailsEvenForKnownUploads(QueryWriteStatusMode mode, StatusCode expected)
    {
        await WriteAsync(Requests("blobs/known", TestData.Random(100), finish: false));
        Server.SetResource("blobs/complete", TestData.Random(10));
        Server.Faults.QueryWriteStatusMode = mode;

        var inProgress = await StatusOf(() => QueryAsync("blobs/known"));
        var complete = await StatusOf(() => QueryAsync("blobs/complete"));

        Assert.Multiple(() =>
        {
            Assert.That(inProgress, Is.EqualTo(expected));
            Assert.That(complete, Is.EqualTo(expected));
            Assert.That(TrueStatus("blobs/known"), Is.EqualTo((100L, false)), "the true state is unchanged");
        });
    }

    [Test]
    public async Task QueryWriteStatus_ZeroOrComplete_ReportsZeroForAnythingButCompleteResources()
    {
        await WriteAsync(Requests("blobs/partial", TestData.Random(100), finish: false));
        Server.SetResource("blobs/complete", TestData.Random(10));
        Server.Faults.QueryWriteStatusMode = QueryWriteStatusMode.ZeroOrComplete;

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(await QueryAsync("blobs/partial"), Is.EqualTo((0L, false)));
            Assert.That(await QueryAsync("blobs/never"), Is.EqualTo((0L, false)));
            Assert.That(await QueryAsync("blobs/complete"), Is.EqualTo((10L, true)));
        });
    }

    [Test]
    public async Task QueryWriteStatusOverride_KnownName_ReportsWhatTheHookReturns()
    {
        await WriteAsync(Requests("blobs/distorted", TestData.Random(100), finish: false));
        (long, bool)? seen = null;
        Server.Faults.QueryWriteStatusOverride = (committed, complete) =>
        {
            seen = (committed, complete);
            return (committed + 50, true);
        };

        var answer = await QueryAsync("blobs/distorted");
        var unknown = await StatusOf(() => QueryAsync("blobs/never"));

        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo((100L, false)));
            Assert.That(answer, Is.EqualTo((150L, true)));
            Assert.That(unknown, Is.EqualTo(StatusCode.NotFound));
        });
    }

    [Test]
    public async Task QueryWriteStatus_EmptyName_FailsWithInvalidArgument()
    {
        var status = await StatusOf(() => QueryAsync(string.Empty));

        Assert.That(status, Is.EqualTo(StatusCode.InvalidArgument));
    }
}
