using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Bytestream.Client.Tests;

namespace Bytestream.Cli.Tests;

/// <summary>
/// The tool's defaults against servers that go away: a restart of <c>serve</c> that the default retries ride out, and a
/// peer that accepts connections and never answers, which --stall-timeout and --timeout end.
/// </summary>
public class ToolConnectionTests
{
    // The server is down this long: about the restart the default retries must outlast (they span 11 s or more).
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(8);

    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateDirectory() => _work = Directory.CreateTempSubdirectory("bytestream-cli-connection-");

    [TearDown]
    public void DeleteDirectory() => _work.Delete(recursive: true);

    [Test]
    public async Task Upload_ServerKilledAndRestartedAfterEightSeconds_DefaultRetriesFinishIt()
    {
        var data = TestFiles.Random(8 * 1024 * 1024, seed: 12);
        var source = TestFiles.Write(_work.FullName, "restart.bin", data);
        var root = Path.Combine(_work.FullName, "root");
        string port;
        using (var first = await ServeProcess.StartAsync("--port", "0", "--root", root))
        {
            port = first.Address.Port.ToString(CultureInfo.InvariantCulture);
            var reachable = await Programs.RunAsync("bytestream", "status", "nothing/yet", "--address", first.Url);
            Assert.That(reachable.ExitCode, Is.EqualTo(4), $"the first server answers (NOT_FOUND): {reachable}");
            first.Program.Kill();
            await first.Program.WaitAsync();
        }

        // The upload starts while nothing listens: every attempt is refused until the server is back.
        var url = $"http://127.0.0.1:{port}";
        using var upload = Programs.Start("bytestream", "upload", source, "restart/blob", "--address", url, "--json", "--verbose");
        var watch = Stopwatch.StartNew();
        await Task.Delay(Outage);
        using var second = await ServeProcess.StartAsync("--port", port, "--root", root);
        var back = watch.Elapsed;
        var result = await upload.WaitAsync();

        using var json = JsonDocument.Parse(result.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(0), result.ToString());
            Assert.That(result.StandardError, Does.Contain("retry"), "the upload was refused and retried while the server was down");
            Assert.That(json.RootElement.GetProperty("committedSize").GetInt64(), Is.EqualTo(data.Length));
            Assert.That(TestFiles.Sha256(Path.Combine(root, "restart", "blob")), Is.EqualTo(TestFiles.Sha256(data)));
        });
        TestContext.Out.WriteLine($"server back after {back.TotalSeconds:0.0} s; upload done after {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Test]
    public async Task Status_PeerNeverAnswers_StallTimeoutEndsEachAttempt_Exit3()
    {
        using var silent = new SilentPeer();

        // Bounded well below the default stall timeout's two attempts: a hang fails the test (and disposing kills the tool).
        using var status = Programs.Start("bytestream", "status", "x", "--address", silent.Address.ToString().TrimEnd('/'), "--stall-timeout", "1s", "--retries", "1");
        var result = await status.WaitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.StandardError, Does.Contain("DEADLINE_EXCEEDED"));
            Assert.That(silent.Accepted, Is.GreaterThanOrEqualTo(1), "the peer accepted the connection");
        });
    }

    [Test]
    public async Task Status_PeerNeverAnswers_TimeoutEndsTheCommand_Exit3()
    {
        using var silent = new SilentPeer();

        var result = await Programs.RunAsync("bytestream", "status", "x", "--address", silent.Address.ToString().TrimEnd('/'), "--timeout", "2s");

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.StandardError, Does.Contain("timed out after 2s (--timeout)"));
        });
    }

    [TestCase("--timeout", "0")]
    [TestCase("--timeout", "soon")]
    [TestCase("--stall-timeout", "-1s")]
    public async Task Options_BadDuration_Exit2(string option, string value)
    {
        var result = await Programs.RunAsync("bytestream", "status", "x", "--address", "http://127.0.0.1:1", option, value);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.StandardError, Does.Contain($"{option} must be a duration"));
        });
    }

    [Test]
    public async Task Serve_SmallWindowsAndStreamLimit_StillStoresEveryByte()
    {
        var data = TestFiles.Random(3 * 1024 * 1024, seed: 13);
        var source = TestFiles.Write(_work.FullName, "windows.bin", data);
        var root = Path.Combine(_work.FullName, "root");
        using var serve = await ServeProcess.StartAsync("--port", "0", "--root", root, "--stream-window", "64K", "--connection-window", "128K", "--max-streams", "1");

        var upload = await Programs.RunAsync("bytestream", "upload", source, "windows/blob", "--address", serve.Url);

        Assert.Multiple(() =>
        {
            Assert.That(upload.ExitCode, Is.EqualTo(0), upload.ToString());
            Assert.That(TestFiles.Sha256(Path.Combine(root, "windows", "blob")), Is.EqualTo(TestFiles.Sha256(data)));
        });
    }

    [TestCase("--stream-window", "1K", "--stream-window must be 64K to 2047M")]
    [TestCase("--connection-window", "3G", "--connection-window must be 64K to 2047M")]
    [TestCase("--max-streams", "0", "--max-streams must be 1 or more")]
    public async Task Serve_BadWindowOrLimit_Exit2(string option, string value, string message)
    {
        var result = await Programs.RunAsync("bytestream", "serve", "--port", "0", option, value);

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.StandardError, Does.Contain(message));
        });
    }
}
