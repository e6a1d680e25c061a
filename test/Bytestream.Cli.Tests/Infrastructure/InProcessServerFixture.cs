using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;

namespace Bytestream.Cli.Tests;

/// <summary>Tests of the tool against one in-process test server for the class, reset before each test, and a fresh working folder per test.</summary>
public abstract class InProcessServerFixture
{
    private ByteStreamTestServer? _server;
    private DirectoryInfo? _work;

    /// <summary>Gets the server.</summary>
    protected ByteStreamTestServer Server => _server ?? throw new InvalidOperationException("The server starts in OneTimeSetUp.");

    /// <summary>Gets this test's working folder.</summary>
    protected DirectoryInfo Work => _work ?? throw new InvalidOperationException("The folder is made in SetUp.");

    /// <summary>Gets the server's address as the tool's --address takes it.</summary>
    protected string Url => Server.Address.ToString().TrimEnd('/');

    [OneTimeSetUp]
    public async Task StartServerAsync() => _server = await ByteStreamTestServer.StartAsync().DefaultTimeout();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await Server.DisposeAsync();

    [SetUp]
    public void CreateDirectory()
    {
        Server.Reset();
        _work = Directory.CreateTempSubdirectory("bytestream-cli-");
    }

    [TearDown]
    public void DeleteDirectory() => Work.Delete(recursive: true);
}
