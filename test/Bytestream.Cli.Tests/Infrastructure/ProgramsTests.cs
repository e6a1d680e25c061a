namespace Bytestream.Cli.Tests;

/// <summary>The build recorded every program under test, and each file exists (otherwise every other test fails obscurely).</summary>
public class ProgramsTests
{
    [TestCase("bytestream")]
    [TestCase("CopyToRemote")]
    [TestCase("ResumeAfterRestart")]
    [TestCase("DependencyInjection")]
    public void PathOf_BuiltProgram_Exists(string program)
    {
        Assert.That(File.Exists(Programs.PathOf(program)), Is.True, Programs.PathOf(program));
    }
}
