using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace Bytestream.Cli.Tests;

/// <summary>Runs the built programs (the bytestream tool, the samples) as processes: <c>dotnet program.dll args</c>.</summary>
public static class Programs
{
    /// <summary>How long one run may take before the test fails (and the process is killed).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The path of a program's built dll, recorded by the project file.</summary>
    public static string PathOf(string program) =>
        typeof(Programs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == $"Program:{program}")?.Value
        ?? throw new InvalidOperationException($"The build recorded no program '{program}' (see Bytestream.Cli.Tests.csproj).");

    /// <summary>Runs a program to its end and returns its exit code and output.</summary>
    public static async Task<ProgramResult> RunAsync(string program, params string[] arguments)
    {
        using var process = Start(program, arguments);
        return await process.WaitAsync();
    }

    /// <summary>Starts a program; the caller reads its output as it comes or waits for its end.</summary>
    public static RunningProgram Start(string program, params string[] arguments) => Start(program, new Dictionary<string, string>(), arguments);

    /// <summary>Starts a program with <paramref name="environment"/> added to its environment (a GC heap limit, say).</summary>
    public static RunningProgram Start(string program, IReadOnlyDictionary<string, string> environment, string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(PathOf(program));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The user's settings must not change what the tests see.
        start.Environment.Remove("BYTESTREAM_ADDRESS");
        start.Environment.Remove("BYTESTREAM_TOKEN");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new RunningProgram(Process.Start(start)!, $"{program} {string.Join(' ', arguments)}");
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}

/// <summary>What a finished program left: exit code, stdout (bytes and text) and stderr.</summary>
public sealed record ProgramResult(int ExitCode, byte[] StandardOutputBytes, string StandardError, string CommandLine)
{
    public string StandardOutput => Encoding.UTF8.GetString(StandardOutputBytes);

    /// <summary>The non-empty lines of stderr.</summary>
    public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"`{CommandLine}` exited {ExitCode}\nstdout: {StandardOutput}\nstderr: {StandardError}";
}

/// <summary>A program that runs while the test goes on (a server); disposing it kills it.</summary>
public sealed class RunningProgram : IDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly Task<string> _standardError;
    private readonly MemoryStream _standardOutputBytes = new();
    private Task? _standardOutputCopy;

    internal RunningProgram(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
        _standardError = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close();
    }

    public int Id => _process.Id;

    /// <summary>Reads the next line of stdout (for programs that announce something, such as serve's address).</summary>
    public async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(Programs.Timeout);
        return await _process.StandardOutput.ReadLineAsync(timeout.Token);
    }

    /// <summary>Waits for the end of the program (killing it after <see cref="Programs.Timeout"/>) and returns what it left.</summary>
    public async Task<ProgramResult> WaitAsync()
    {
        _standardOutputCopy ??= _process.StandardOutput.BaseStream.CopyToAsync(_standardOutputBytes);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(Programs.Timeout);
            await Task.WhenAll(_standardOutputCopy, _standardError).WaitAsync(Programs.Timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            throw new AssertionException($"`{_commandLine}` did not end within {Programs.Timeout.TotalSeconds} s");
        }

        return new ProgramResult(_process.ExitCode, _standardOutputBytes.ToArray(), await _standardError, _commandLine);
    }

    /// <summary>Sends SIGTERM, what a service manager sends, and what Ctrl+C's SIGINT does in the tool too (the same cancellation).</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Kills the process at once (SIGKILL): no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _standardOutputBytes.Dispose();
    }
}
