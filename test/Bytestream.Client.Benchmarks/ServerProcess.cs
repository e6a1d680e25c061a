using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Bytestream.Client.Benchmarks;

/// <summary>A ByteStream server in a child process on 127.0.0.1: this harness's own `server` mode, or Google's Go server.</summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(string label, Process process, string address)
    {
        Label = label;
        _process = process;
        Address = address;
    }

    public string Label { get; }

    public string Address { get; }

    /// <summary>Gets the CPU time (user and kernel) the server process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts this harness in `server` mode: Bytestream.Testing's server as a null sink and zero source.</summary>
    public static Task<ServerProcess> StartTestingAsync(params string[] serverArgs) =>
        StartSelfAsync("Bytestream.Testing (null sink, zero source)", ["--null", .. serverArgs]);

    /// <summary>Starts this harness in `server` mode with Bytestream.Testing's server keeping every resource in memory.</summary>
    public static Task<ServerProcess> StartStoringAsync() => StartSelfAsync("Bytestream.Testing (in memory)", []);

    /// <summary>Starts Google's Go server from shared/peers/go, built by its setup.sh.</summary>
    public static Task<ServerProcess> StartGoAsync(string peerDir, params string[] serverArgs) =>
        StartAsync("Go (Google's server)", Path.Combine(peerDir, "build", "bin", "bsserver"), ["-port", "0", "-allow-overwrite", .. serverArgs], GoAddressLine());

    public static string? FindGoPeer()
    {
        var dir = Environment.GetEnvironmentVariable("BYTESTREAM_GO_PEER_DIR");
        return dir is not null && File.Exists(Path.Combine(dir, "build", "bin", "bsserver")) ? dir : null;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000))
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static Task<ServerProcess> StartSelfAsync(string label, string[] serverArgs)
    {
        var self = typeof(ServerProcess).Assembly.Location;
        var host = Environment.ProcessPath!;
        string[] args = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [self, "server", .. serverArgs] : ["server", .. serverArgs];
        return StartAsync(label, host, args, AddressLine());
    }

    private static async Task<ServerProcess> StartAsync(string label, string fileName, string[] args, Regex addressLine)
    {
        var info = new ProcessStartInfo(fileName, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Watch(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is { } line && addressLine.Match(line) is { Success: true } match)
            {
                found.TrySetResult(match.Groups["address"].Value);
            }
        }

        process.OutputDataReceived += Watch;
        process.ErrorDataReceived += Watch;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var address = await found.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return new ServerProcess(label, process, address.StartsWith("http", StringComparison.Ordinal) ? address.TrimEnd('/') : "http://" + address);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    [GeneratedRegex("^listening on (?<address>http://\\S+)")]
    private static partial Regex AddressLine();

    [GeneratedRegex("bsserver listening on (?<address>\\S+)")]
    private static partial Regex GoAddressLine();
}
