using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

// No namespace: a set-up fixture outside every namespace wraps the whole assembly.
#pragma warning disable CA1050

/// <summary>
/// After the run, says why tests were skipped, one line per reason with its count ("80 skipped: Go peer not
/// installed (see Interoperability in README.md)"), so that `dotnet test` does not list skips without a word
/// about them. The reason is a skip message up to its first ": " (NUnit's "OneTimeSetUp: " prefix dropped).
/// The lines go to <see cref="TestContext.Error"/>, which `dotnet test` shows at its default verbosity
/// (<see cref="TestContext.Progress"/> needs a logger at normal verbosity). .ci/run counts the same from the TRX files.
/// </summary>
[SetUpFixture]
public sealed class SkippedTestsSummary
{
    private const string SetUpPrefix = "OneTimeSetUp: ";

    [OneTimeTearDown]
    public void ReportSkips()
    {
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        Collect(TestExecutionContext.CurrentContext.CurrentResult, reasons);
        foreach (var (reason, count) in reasons)
        {
            TestContext.Error.WriteLine($"{count} skipped: {reason}");
        }
    }

    /// <summary>The short reason of a skip message.</summary>
    public static string ShortReason(string? message)
    {
        var text = (message ?? string.Empty).Trim();
        if (text.StartsWith(SetUpPrefix, StringComparison.Ordinal))
        {
            text = text[SetUpPrefix.Length..];
        }

        var end = text.IndexOf(": ", StringComparison.Ordinal);
        return text.Length == 0 ? "no reason given" : end < 0 ? text : text[..end];
    }

    private static void Collect(ITestResult result, SortedDictionary<string, int> reasons)
    {
        if (!result.Test.IsSuite)
        {
            if (result.ResultState.Status == TestStatus.Skipped)
            {
                var reason = ShortReason(result.Message);
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }

            return;
        }

        foreach (var child in result.Children)
        {
            Collect(child, reasons);
        }
    }
}
