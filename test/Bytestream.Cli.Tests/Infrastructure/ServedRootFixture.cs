namespace Bytestream.Cli.Tests;

/// <summary>Base of the tool tests that run against one <c>bytestream serve --root</c> process for the whole fixture.</summary>
public abstract class ServedRootFixture
{
    /// <summary>Gets a temporary folder of the fixture's own, deleted at its end.</summary>
    protected DirectoryInfo Work { get; private set; } = null!;

    /// <summary>Gets the server's <c>--root</c>, inside <see cref="Work"/>.</summary>
    protected string Root { get; private set; } = null!;

    /// <summary>Gets the running server.</summary>
    private protected ServeProcess Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        Work = Directory.CreateTempSubdirectory($"bytestream-cli-{GetType().Name}-");
        Root = Path.Combine(Work.FullName, "root");
        Server = await ServeProcess.StartAsync("--port", "0", "--root", Root);
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        Server?.Dispose();
        Work?.Delete(recursive: true);
    }
}
