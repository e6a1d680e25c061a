using Bytestream.Client.Internal;

namespace Bytestream.Client.Tests.Write;

/// <summary>
/// The judge of committed sizes, without a server: each case plays a sequence of answers and checks the
/// decision on the last one. The cases follow shared/PROTOCOL.md line by line (named in each case).
/// </summary>
public class CommitJudgeTests
{
    private const string Name = "blobs/judge";
    private const string CompressedName = "uploads/0c4cbe95-2b5f-4c87-9d7e-5c1c0b4f3a11/compressed-blobs/zstd/9a271f2a916b0b6ee6cecb2426f0b3206ef074578be55d9bc94f6f3fe3ab86aa/1000";

    private static readonly Dictionary<string, JudgeCase> All = Build().ToDictionary(c => c.Name);

    public static IEnumerable<string> CaseNames => All.Keys;

    private static IEnumerable<JudgeCase> Build()
    {
        // QueryWriteStatus: servers disagree.
        yield return Case("Buildbarn answers UNIMPLEMENTED: restart at the first offset, no progress",
            Judge(100), j => { j.Sent(60); return j.OnStatusUnknown(); }, CommitVerdict.Restart, 0, progressed: false);
        yield return Case("bazel-remote reports (0, incomplete): resume at 0",
            Judge(100), j => { j.Sent(60); return j.OnStatus(new WriteStatus(0, false), false, 60); }, CommitVerdict.Resume, 0, progressed: false);
        yield return Case("bazel-remote reports (size, complete): done",
            Judge(100), j => { j.Sent(60); return j.OnStatus(new WriteStatus(100, true), false, 60); }, CommitVerdict.Complete, 100);
        yield return Case("nativelink answers 0 for an upload it forgot: restart, not a violation",
            Judge(100), j => { j.Sent(60); j.OnStatus(new WriteStatus(40, false), false, 60); j.Sent(80); return j.OnStatus(new WriteStatus(0, false), false, 80); }, CommitVerdict.Restart, 0, progressed: false);
        yield return Case("committed less than sent: resume there, progress",
            Judge(100), j => { j.Sent(60); return j.OnStatus(new WriteStatus(40, false), false, 60); }, CommitVerdict.Resume, 40, progressed: true);
        yield return Case("after a restart at 0 an honest size below the old one is no violation",
            Judge(100), j => { j.Sent(80); j.OnStatus(new WriteStatus(70, false), false, 80); j.OnStatusUnknown(); return j.OnStatus(new WriteStatus(30, false), false, 80); }, CommitVerdict.Resume, 30, progressed: true);
        yield return Case("after a restart at 0 the same size is no progress",
            Judge(100), j => { j.Sent(80); j.OnStatusUnknown(); return j.OnStatus(new WriteStatus(0, false), false, 80); }, CommitVerdict.Resume, 0, progressed: false);

        // Early end of a Write.
        yield return Case("early OK with the full size: the blob exists, done",
            Judge(100), j => j.OnWriteResponse(100, finishSent: false, position: 10), CommitVerdict.Complete, 100);
        yield return Case("early OK with -1: done",
            Judge(100), j => j.OnWriteResponse(-1, finishSent: false, position: 10), CommitVerdict.Complete, -1);
        yield return Case("ALREADY_EXISTS: done, with the known length",
            Judge(100), j => j.OnAlreadyExists(10), CommitVerdict.Complete, 100);
        yield return Case("early OK with another size: ask QueryWriteStatus",
            Judge(100), j => j.OnWriteResponse(5, finishSent: false, position: 10), CommitVerdict.AskStatus, 5);
        yield return Case("early OK with the position when the length is unknown: ask (only QueryWriteStatus can say complete)",
            Judge(null), j => j.OnWriteResponse(10, finishSent: false, position: 10), CommitVerdict.AskStatus, 10);
        yield return Case("early OK without progress, once, within the budget: resume",
            Judge(100, maxEarlyEnds: 1), j => { j.OnWriteResponse(5, false, 10); return j.OnStatusUnknown(); }, CommitVerdict.Restart, 0);
        yield return Case("early OK without progress more often than the budget: the server will not take the upload",
            Judge(100, maxEarlyEnds: 1), j => { j.OnWriteResponse(5, false, 10); j.OnStatusUnknown(); j.OnWriteResponse(5, false, 10); return j.OnStatusUnknown(); }, CommitVerdict.Fail, 0, error: "2 times in a row");
        yield return Case("early OKs with progress between them do not run out",
            Judge(100, maxEarlyEnds: 1), j => { j.Sent(50); j.OnWriteResponse(5, false, 10); j.OnStatus(new WriteStatus(20, false), false, 50); j.OnWriteResponse(5, false, 50); return j.OnStatus(new WriteStatus(40, false), false, 50); }, CommitVerdict.Resume, 40, progressed: true);

        // After a complete upload, check committed_size.
        yield return Case("finish_write answered with the length written: done",
            Judge(null), j => j.OnWriteResponse(100, finishSent: true, position: 100), CommitVerdict.Complete, 100);
        yield return Case("finish_write answered with another size, and the server holds it complete: violation",
            Judge(null), j => { j.Sent(100); j.OnWriteResponse(99, true, 100); return j.OnStatus(new WriteStatus(100, true), true, 100); }, CommitVerdict.Fail, 99, error: "finished the upload with committed_size 99");
        yield return Case("finish_write answered with another size, but the server had not finished: resume",
            Judge(null), j => { j.Sent(100); j.OnWriteResponse(60, true, 100); return j.OnStatus(new WriteStatus(60, false), true, 100); }, CommitVerdict.Resume, 60, progressed: true);
        yield return Case("complete with another size than the known length: violation",
            Judge(100), j => { j.Sent(100); return j.OnStatus(new WriteStatus(90, true), false, 100); }, CommitVerdict.Fail, 90, error: "finished the upload");
        yield return Case("compressed upload answered with the compressed bytes written: done",
            new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000), j => j.OnWriteResponse(321, finishSent: true, position: 321), CommitVerdict.Complete, 321);
        yield return Case("compressed upload answered with the uncompressed size: done",
            new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000), j => j.OnWriteResponse(1000, finishSent: true, position: 321), CommitVerdict.Complete, 1000);
        yield return Case("compressed upload answered with -1: done",
            new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000), j => j.OnWriteResponse(-1, finishSent: false, position: 100), CommitVerdict.Complete, -1);

        // Protocol violations.
        yield return Case("committed beyond what was sent",
            Judge(100), j => { j.Sent(60); return j.OnStatus(new WriteStatus(61, false), false, 60); }, CommitVerdict.Fail, 61, error: "only 60 bytes were sent");
        yield return Case("negative committed size",
            Judge(100), j => { j.Sent(60); return j.OnStatus(new WriteStatus(-5, false), false, 60); }, CommitVerdict.Fail, -5, error: "committed_size -5");
        yield return Case("committed below the offset the last call resumed from",
            Judge(100), j => { j.Sent(60); j.OnStatus(new WriteStatus(50, false), false, 60); j.Sent(80); return j.OnStatus(new WriteStatus(40, false), false, 80); }, CommitVerdict.Fail, 40, error: "went backwards from 50 to 40");

        // ResumeExistingUpload.
        yield return Case("existing upload partly committed: resume there",
            Judge(100), j => j.OnExistingStatus(new WriteStatus(40, false)), CommitVerdict.Resume, 40, progressed: true);
        yield return Case("existing upload complete: done, nothing sent",
            Judge(100), j => j.OnExistingStatus(new WriteStatus(100, true)), CommitVerdict.Complete, 100);
        yield return Case("existing upload complete with another size: violation",
            Judge(100), j => j.OnExistingStatus(new WriteStatus(90, true)), CommitVerdict.Fail, 90, error: "finished the upload");
        yield return Case("existing upload holds more than the caller's data: the source is short, not the server wrong",
            Judge(100), j => j.OnExistingStatus(new WriteStatus(150, false)), CommitVerdict.Fail, 150, error: "the source holds only 100. Is it the same data?");
        yield return Case("after resuming an existing upload, its size is the rewind point",
            Judge(100), j => { j.OnExistingStatus(new WriteStatus(40, false)); j.Sent(90); return j.OnStatus(new WriteStatus(30, false), false, 90); }, CommitVerdict.Fail, 30, error: "went backwards");

        // Background QueryWriteStatus for the replay buffer.
        yield return Case("background answer of this epoch: drop up to it",
            Judge(100), j => { j.Sent(60); return j.OnBackgroundStatus(new WriteStatus(50, false), j.Epoch); }, CommitVerdict.Continue, 50);
        yield return Case("background answer from before a resume: no hint",
            Judge(100), j => { j.Sent(60); var epoch = j.Epoch; j.OnStatusUnknown(); return j.OnBackgroundStatus(new WriteStatus(50, false), epoch); }, CommitVerdict.Continue, 0);
        yield return Case("background answer beyond what was sent: violation",
            Judge(100), j => { j.Sent(60); return j.OnBackgroundStatus(new WriteStatus(70, false), j.Epoch); }, CommitVerdict.Fail, 70, error: "only 60 bytes were sent");
    }

    [TestCaseSource(nameof(CaseNames))]
    public void Decides(string name)
    {
        var (_, judge, answers, verdict, offset, progressed, error) = All[name];
        var decision = answers(judge);

        Assert.Multiple(() =>
        {
            Assert.That(decision.Verdict, Is.EqualTo(verdict));
            Assert.That(decision.Offset, Is.EqualTo(offset));
            if (progressed is { } expected)
            {
                Assert.That(decision.Progressed, Is.EqualTo(expected));
            }

            if (error is null)
            {
                Assert.That(decision.Error, Is.Null);
            }
            else
            {
                Assert.That(decision.Error?.Message, Does.Contain(error));
                Assert.That(decision.Error?.CommittedSize, Is.EqualTo(offset));
            }
        });
    }

    [TestCase(100, 100, null, TestName = "CheckEnd: the known length reached")]
    [TestCase(100, 90, "ended after 90 of its expected 100 bytes", TestName = "CheckEnd: short of the known length")]
    [TestCase(100, 110, "more bytes than its expected length", TestName = "CheckEnd: past the known length")]
    public void CheckEnd_AgainstTheKnownLength(long total, long position, string? error) =>
        Assert.That(Judge(total).CheckEnd(position)?.Message, error is null ? Is.Null : Does.Contain(error));

    [Test]
    public void CheckEnd_WrittenLessThanTheExistingUploadCommitted_IsTheShortSource()
    {
        // A write stream resuming a 4 MiB partial upload to which the caller then wrote only 1 MiB.
        var judge = Judge(null);
        judge.OnExistingStatus(new WriteStatus(4 << 20, false));

        var error = judge.CheckEnd(1 << 20);

        Assert.That(error?.Message, Does.Contain("the source holds only 1048576. Is it the same data?"));
    }

    [Test]
    public void CheckEnd_CompleteExistingResourceOfAnotherLength_Fails()
    {
        var judge = Judge(null);
        judge.OnExistingStatus(new WriteStatus(1000, true));

        Assert.Multiple(() =>
        {
            Assert.That(judge.CheckEnd(1000), Is.Null);
            Assert.That(judge.CheckEnd(999)?.Message, Does.Contain("Is it the same data?"));
            Assert.That(judge.CheckEnd(1001)?.Message, Does.Contain("more bytes than its expected length of 1000"));
        });
    }

    [Test]
    public void CheckEnd_AlreadyExistsWithoutALength_TakesTheSizeFromThePosition()
    {
        var judge = Judge(null);
        judge.OnAlreadyExists(10);

        Assert.Multiple(() =>
        {
            Assert.That(judge.CheckEnd(250), Is.Null);
            Assert.That(judge.CommittedSize, Is.EqualTo(250));
            Assert.That(judge.IsComplete, Is.True);
        });
    }

    private static CommitJudge Judge(long? total, int maxEarlyEnds = 5) => new(Name, total, maxEarlyEnds);

    [TestCase(0, false)]
    [TestCase(4096, true)]
    public void OnStatus_CompressedUploadIncomplete_RestartsAtZeroUnderANewUploadIdOnlyWhereTheServerKeepsBytes(long committed, bool freshUpload)
    {
        var judge = new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000);
        judge.Sent(8000);

        var decision = judge.OnStatus(new WriteStatus(committed, false), false, 8000);

        Assert.That((decision.Verdict, decision.Offset, decision.FreshUpload), Is.EqualTo((CommitVerdict.Restart, 0L, freshUpload)));
    }

    [TestCase(0, false)]
    [TestCase(4096, true)]
    public void OnExistingStatus_CompressedUploadIncomplete_StartsAtZeroUnderANewUploadIdOnlyWhereTheServerKeepsBytes(long committed, bool freshUpload)
    {
        var judge = new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000);

        var decision = judge.OnExistingStatus(new WriteStatus(committed, false));

        Assert.That((decision.Verdict, decision.Offset, decision.FreshUpload), Is.EqualTo((CommitVerdict.Restart, 0L, freshUpload)));
    }

    [Test]
    public void OnStatusUnknown_CompressedUpload_RestartsAtZeroUnderTheSameName()
    {
        var judge = new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000);
        judge.Sent(8000);

        var decision = judge.OnStatusUnknown();

        Assert.That((decision.Verdict, decision.Offset, decision.FreshUpload), Is.EqualTo((CommitVerdict.Restart, 0L, false)));
    }

    [Test]
    public void CompressedUpload_ServerConfirmedNothing_IsNoProgress()
    {
        // Seed 35: every Write failed after its first request and the server kept nothing (NOT_FOUND).
        var judge = new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000);
        judge.Sent(4096);

        Assert.That(judge.OnStatusUnknown().Progressed, Is.False);
    }

    [Test]
    public void CompressedUpload_ServerConfirmedBytesOfAnAttemptThatGotFurther_IsProgress()
    {
        var judge = new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000);
        judge.Sent(4096);
        var first = judge.OnStatus(new WriteStatus(2048, false), false, 4096);
        judge.Sent(8192);
        var further = judge.OnStatus(new WriteStatus(6000, false), false, 8192);

        Assert.Multiple(() =>
        {
            Assert.That(first.Progressed, Is.True, "the server holds bytes of the first attempt");
            Assert.That(further.Progressed, Is.True, "the second attempt got further");
        });
    }

    [Test]
    public void CompressedUpload_CutAtTheSamePointAgain_IsNoProgress()
    {
        // A server that keeps a little of each attempt and cuts it at the same point must use up the budget.
        var judge = new CommitJudge(CompressedName, null, 5, uncompressedSize: 1000);
        judge.Sent(4096);
        judge.OnStatus(new WriteStatus(2048, false), false, 4096);

        Assert.That(judge.OnStatus(new WriteStatus(2048, false), false, 4096).Progressed, Is.False);
    }

    [TestCase(Grpc.Core.StatusCode.FailedPrecondition, 4096, true)]
    [TestCase(Grpc.Core.StatusCode.OutOfRange, 4096, true)]
    [TestCase(Grpc.Core.StatusCode.InvalidArgument, 4096, true)]
    [TestCase(Grpc.Core.StatusCode.FailedPrecondition, 0, false)]
    [TestCase(Grpc.Core.StatusCode.PermissionDenied, 4096, false)]
    public void OnRefusedResume_OnlyABadOffsetOfAResumedCall(Grpc.Core.StatusCode status, long callStart, bool refused) =>
        Assert.That(Judge(10_000).OnRefusedResume(status, callStart), Is.EqualTo(refused));

    [Test]
    public void OnRefusedResume_ServerNoLongerHoldsTheOffset_RestartsWithoutProgress()
    {
        // Seed 174: the server reported 4096, forgot the upload, refused the resume at 4096, and now knows nothing.
        var judge = Judge(10_000);
        judge.Sent(4096);
        judge.OnStatus(new WriteStatus(4096, false), false, 4096);
        judge.OnRefusedResume(Grpc.Core.StatusCode.FailedPrecondition, 4096);

        var decision = judge.OnStatusUnknown();

        Assert.That((decision.Verdict, decision.Offset, decision.Progressed), Is.EqualTo((CommitVerdict.Restart, 0L, false)));
    }

    [Test]
    public void OnRefusedResume_ServerHoldsExactlyTheOffset_TheCallsFailureStands()
    {
        var judge = Judge(10_000);
        judge.Sent(5000);
        judge.OnStatus(new WriteStatus(4096, false), false, 5000);
        judge.OnRefusedResume(Grpc.Core.StatusCode.FailedPrecondition, 4096);

        var decision = judge.OnStatus(new WriteStatus(4096, false), false, 5000);

        Assert.That(decision.Verdict, Is.EqualTo(CommitVerdict.CallFailed));
    }

    [Test]
    public void OnRefusedResume_ServerTookBytesOfTheCall_GoesOnFromThereWithProgress()
    {
        // Seed 12158: the server took 77 bytes of the call resumed at 4096, then failed it with FAILED_PRECONDITION.
        var judge = Judge(10_000, maxEarlyEnds: 0);
        judge.Sent(4096);
        judge.OnStatus(new WriteStatus(4096, false), false, 4096);
        judge.Sent(5000);
        judge.OnRefusedResume(Grpc.Core.StatusCode.FailedPrecondition, 4096);

        var decision = judge.OnStatus(new WriteStatus(4173, false), false, 5000);

        Assert.That((decision.Verdict, decision.Offset, decision.Progressed), Is.EqualTo((CommitVerdict.Resume, 4173L, true)));
    }

    [Test]
    public void OnRefusedResume_MaxRetryAttemptsZero_AConfirmedRefusalEndsTheUpload()
    {
        var judge = Judge(10_000, maxEarlyEnds: 0);
        judge.Sent(4096);
        judge.OnStatus(new WriteStatus(4096, false), false, 4096);
        judge.OnRefusedResume(Grpc.Core.StatusCode.FailedPrecondition, 4096);

        var decision = judge.OnStatusUnknown();

        Assert.Multiple(() =>
        {
            Assert.That(decision.Verdict, Is.EqualTo(CommitVerdict.Fail));
            Assert.That(decision.Error!.Message, Does.Contain("refusing the write_offset of a resumed call"));
        });
    }

    private static JudgeCase Case(string name, CommitJudge judge, Func<CommitJudge, CommitDecision> answers, CommitVerdict verdict, long offset, bool? progressed = null, string? error = null) =>
        new(name, judge, answers, verdict, offset, progressed, error);

    private sealed record JudgeCase(string Name, CommitJudge Judge, Func<CommitJudge, CommitDecision> Answers, CommitVerdict Verdict, long Offset, bool? Progressed, string? Error);
}
