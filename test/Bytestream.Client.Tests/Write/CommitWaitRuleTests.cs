using Bytestream.Client.Internal;

namespace Bytestream.Client.Tests.Write;

/// <summary>What a QueryWriteStatus answer means while a write stream waits for its bytes to be committed.</summary>
public class CommitWaitRuleTests
{
    [TestCase(0, false, 100, 100, false, TestName = "nothing committed yet: ask again")]
    [TestCase(99, false, 100, 100, false, TestName = "committed behind what was written: ask again")]
    [TestCase(100, false, 100, 100, true, TestName = "every byte written committed: done")]
    [TestCase(100, false, 100, 150, true, TestName = "the bytes of the wait committed, later writes not yet: done")]
    [TestCase(40, true, 100, 100, true, TestName = "the server holds the whole resource: done")]
    public void Answer_DecidesTheWait(long committed, bool complete, long target, long written, bool done) =>
        Assert.That(CommitWaitRule.IsCommitted("r", new WriteStatus(committed, complete), target, written), Is.EqualTo(done));

    [Test]
    public void CommittedBeyondWritten_IsAProtocolViolation()
    {
        var error = Assert.Throws<ByteStreamException>(() => CommitWaitRule.IsCommitted("r", new WriteStatus(101, false), 100, 100));

        Assert.That(error!.Message, Does.Contain("committed_size 101, but only 100 bytes were sent"));
        Assert.That(error.CommittedSize, Is.EqualTo(101));
    }
}
