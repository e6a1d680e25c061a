namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>The short reasons the run's summary counts skipped tests by.</summary>
public class SkippedTestsSummaryTests
{
    [TestCase("OneTimeSetUp: Go peer not installed (see Interoperability in README.md): BYTESTREAM_GO_PEER_DIR is not set", "Go peer not installed (see Interoperability in README.md)")]
    [TestCase("Run on request (--filter TestCategory=Soak): a soak of about a minute", "Run on request (--filter TestCategory=Soak)")]
    [TestCase("a reason without detail", "a reason without detail")]
    [TestCase("", "no reason given")]
    [TestCase(null, "no reason given")]
    public void ShortReason_IsTheMessageUpToItsFirstColon(string? message, string reason) =>
        Assert.That(SkippedTestsSummary.ShortReason(message), Is.EqualTo(reason));
}
