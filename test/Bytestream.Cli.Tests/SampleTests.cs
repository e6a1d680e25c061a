namespace Bytestream.Cli.Tests;

/// <summary>Every sample runs with no arguments (on its embedded server) and says it succeeded.</summary>
public class SampleTests
{
    [TestCase("CopyToRemote", "CopyToRemote: copied 8,388,731 bytes to samples/copy-to-remote/")]
    [TestCase("ResumeAfterRestart", "ResumeAfterRestart: both runs sent")]
    [TestCase("DependencyInjection", "DependencyInjection: the injected ByteStreamClient stored 3,145,728 bytes")]
    public async Task Sample_NoArguments_ExitCode0_AndItsResultLine(string sample, string expected)
    {
        var result = await Programs.RunAsync(sample);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.StandardOutput, Does.Contain(expected), result.ToString());
            Assert.That(result.StandardOutput, Does.Contain("SHA-256"));
        });
    }

    [Test]
    public async Task ResumeAfterRestart_SecondRunSendsOnlyWhatTheFirstDidNotCommit()
    {
        var result = await Programs.RunAsync("ResumeAfterRestart");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.StandardOutput, Does.Contain("run 1: sent").And.Contain("the process exits now, midway"));
            Assert.That(result.StandardOutput, Does.Match(@"run 2: process \d+ starts; the server has committed [1-9][\d,]* bytes"), "run 2 starts from what run 1 left");
            Assert.That(result.StandardOutput, Does.Contain("(only the rest)"));
        });
    }

    [Test]
    public async Task Demo_SmallFileWithCuts_ResumesAndVerifies()
    {
        var result = await Programs.RunAsync("bytestream", "demo", "--size", "2", "--cuts", "2");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.StandardOutput, Does.Contain("upload: interrupted (UNAVAILABLE), resuming").And.Contain("download: resuming at offset"));
            Assert.That(result.StandardOutput, Does.Contain("SHA-256 verified:").And.Contain("identical after 4 resumes"));
            Assert.That(result.StandardOutput.Contains('\u001b', StringComparison.Ordinal), Is.False, "no control codes when stdout is not a terminal");
        });
    }
}
