using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Interop;

/// <summary>
/// One process of Google's Go ByteStream server (shared/peers/go, <c>bsserver</c>), started
/// through the peer's <c>run-server.sh</c> on a free port of 127.0.0.1 with its own log file,
/// and killed on disposal.
/// </summary>
internal sealed class GoPeerServer : IAsyncDisposable
{
    /// <summary>Names the peer folder (the one holding <c>run-server.sh</c> and <c>build/bin/bsserver</c>); set by .ci/run.</summary>
    public const string PeerDirVariable = "BYTESTREAM_GO_PEER_DIR";

    /// <summary>Set by .ci/run when it could not set the peer up: why.</summary>
    public const string PeerErrorVariable = "BYTESTREAM_GO_PEER_ERROR";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process? _process;
    private int _disposed;

    private GoPeerServer(int processId, Uri address, string logPath)
    {
        ProcessId = processId;
        Address = address;
        LogPath = logPath;
        try
        {
            _process = Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            // Already gone: nothing to stop; the tests will fail to connect and say so.
            _process = null;
        }
    }

    /// <summary>Gets the process id of <c>bsserver</c>.</summary>
    public int ProcessId { get; }

    /// <summary>Gets the server's address, <c>http://127.0.0.1:PORT</c> (h2c).</summary>
    public Uri Address { get; }

    /// <summary>Gets the path of the server's log (with <c>-v</c>: one line per RPC with its status).</summary>
    public string LogPath { get; }

    /// <summary>The short reason of a skip for want of the peer.</summary>
    public const string NotInstalled = "Go peer not installed (see Interoperability in README.md)";

    /// <summary>Skips the calling fixture's tests unless the peer is installed; returns its folder.</summary>
    /// <remarks>The message starts with the short reason that the run's summary counts (<see cref="SkippedTestsSummary"/>).</remarks>
    public static string LocateOrIgnore([CallerFilePath] string sourceFile = "")
    {
        if (!TryLocate(out var peerDir, out var reason, sourceFile))
        {
            Assert.Ignore($"{NotInstalled}: {reason}");
        }

        return peerDir;
    }

    /// <summary>
    /// Finds the peer: <see cref="PeerDirVariable"/> when set, otherwise <c>../shared/peers/go</c>
    /// beside the repository (a developer machine after running setup.sh there).
    /// </summary>
    /// <param name="peerDir">The peer folder when found.</param>
    /// <param name="reason">Why it was not found, otherwise empty.</param>
    /// <param name="sourceFile">The calling test's source file, to find the repository from.</param>
    private static bool TryLocate(out string peerDir, out string reason, string sourceFile)
    {
        peerDir = string.Empty;
        var configured = Environment.GetEnvironmentVariable(PeerDirVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            if (IsBuilt(configured))
            {
                peerDir = configured;
                reason = string.Empty;
                return true;
            }

            reason = $"{PeerDirVariable}={configured} has no run-server.sh and build/bin/bsserver";
            return false;
        }

        var error = Environment.GetEnvironmentVariable(PeerErrorVariable);
        if (!string.IsNullOrEmpty(error))
        {
            reason = error;
            return false;
        }

        // The test binaries may live outside the tree (--artifacts-path), so also start from
        // the working directory and from this source file's path (not path-mapped outside CI).
        foreach (var start in new[] { TestContext.CurrentContext.TestDirectory, Directory.GetCurrentDirectory(), Path.GetDirectoryName(sourceFile) })
        {
            var root = FindRepositoryRoot(start);
            if (root is null)
            {
                continue;
            }

            var candidate = Path.GetFullPath(Path.Combine(root, "..", "shared", "peers", "go"));
            if (IsBuilt(candidate))
            {
                peerDir = candidate;
                reason = string.Empty;
                return true;
            }

            reason = $"{PeerDirVariable} is not set and {candidate}/build/bin/bsserver does not exist (run setup.sh in a writable copy of shared/peers/go and point {PeerDirVariable} at it)";
            return false;
        }

        reason = $"{PeerDirVariable} is not set and the repository root (Bytestream.Client.sln) was not found";
        return false;
    }

    /// <summary>Starts a server with <paramref name="flags"/> (bsserver's own flags, e.g. <c>-allow-overwrite</c>).</summary>
    /// <exception cref="InvalidOperationException">run-server.sh failed; the message holds its output.</exception>
    public static async Task<GoPeerServer> StartAsync(string peerDir, IEnumerable<string> flags, CancellationToken cancellationToken = default)
    {
        var logPath = Path.Combine(Path.GetTempPath(), $"bsserver-{Guid.NewGuid():N}.log");
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        startInfo.ArgumentList.Add(Path.Combine(peerDir, "run-server.sh"));
        startInfo.ArgumentList.Add("0"); // a free port; the log's first line names it
        foreach (var flag in flags)
        {
            startInfo.ArgumentList.Add(flag);
        }

        // One log per server: run-server.sh's default (/tmp/bsserver-PORT.log) would be shared by every port-0 server.
        startInfo.Environment["BSSERVER_LOG"] = logPath;

        using var script = Process.Start(startInfo) ?? throw new InvalidOperationException("bash did not start");
        script.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        // bsserver's own output goes to the log, so these pipes close when the script exits.
        var stdout = script.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = script.StandardError.ReadToEndAsync(timeout.Token);
        await script.WaitForExitAsync(timeout.Token);
        var output = (await stdout).Trim();
        var errors = await stderr;
        if (script.ExitCode != 0 || !int.TryParse(output, out var pid))
        {
            throw new InvalidOperationException($"run-server.sh {string.Join(' ', startInfo.ArgumentList.Skip(1))} failed (exit {script.ExitCode}): {output} {errors}");
        }

        const string prefix = "bsserver listening on ";
        var firstLine = (await File.ReadAllLinesAsync(logPath, timeout.Token)).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (firstLine is null)
        {
            KillQuietly(pid);
            throw new InvalidOperationException($"bsserver (pid {pid}) did not log its address in {logPath}");
        }

        return new GoPeerServer(pid, new Uri("http://" + firstLine[prefix.Length..].Trim()), logPath);
    }

    /// <summary>Creates a channel to the server (h2c).</summary>
    public GrpcChannel CreateChannel() => GrpcChannel.ForAddress(Address);

    /// <summary>Reads the server's log so far.</summary>
    public string ReadLog() => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

    /// <summary>Kills the server process and waits (bounded) until it is gone; deletes its log.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_process is not null)
        {
            using (_process)
            {
                try
                {
                    _process.Kill();
                    await _process.WaitForExitAsync().WaitAsync(StopTimeout);
                }
                catch (InvalidOperationException)
                {
                    // It had already exited.
                }
                catch (TimeoutException)
                {
                    TestContext.Out.WriteLine($"bsserver pid {ProcessId} did not exit within {StopTimeout.TotalSeconds} s of SIGKILL");
                }
            }
        }

        File.Delete(LogPath);
    }

    private static bool IsBuilt(string dir) =>
        File.Exists(Path.Combine(dir, "run-server.sh")) && File.Exists(Path.Combine(dir, "build", "bin", "bsserver"));

    private static string? FindRepositoryRoot(string? start)
    {
        for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bytestream.Client.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    private static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }
}
