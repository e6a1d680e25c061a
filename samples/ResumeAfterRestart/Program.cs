// ResumeAfterRestart: an upload whose process dies midway, and a rerun that continues it. The program runs
// itself twice as a child process. Run 1 exits (Environment.Exit) once half the file is sent, without
// finishing the upload; run 2 passes the whole file again with UploadOptions.ResumeExistingUpload, so the
// client asks QueryWriteStatus and sends only what the server has not committed. Both runs print the
// bytes they sent. The server must outlive run 1: the embedded one lives in this (parent) process.
//
//   dotnet run --project samples/ResumeAfterRestart                      (an embedded test server)
//   dotnet run --project samples/ResumeAfterRestart -- --address URL     (any ByteStream server)
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Bytestream.Client;
using Bytestream.Testing;
using Grpc.Core;
using Grpc.Net.Client;

const int ExitedMidway = 3;

switch (args)
{
    case ["--run", var run, "--address", var url, "--file", var path, "--resource", var name, .. var rest]:
        return await RunOnceAsync(run, url, path, name, rest is ["--exit-after", var bytes] ? long.Parse(bytes, CultureInfo.InvariantCulture) : null);
    case [] or ["--address", _]:
        return await RunBothAsync(args is ["--address", var address] ? address : null);
    default:
        Console.Error.WriteLine("usage: ResumeAfterRestart [--address http://host:port]");
        return 2;
}

static async Task<int> RunBothAsync(string? address)
{
    await using var embedded = address is null ? await ByteStreamTestServer.StartAsync() : null;
    var url = address ?? embedded!.Address.ToString();
    Console.WriteLine($"ResumeAfterRestart: server {url}{(embedded is null ? string.Empty : " (embedded, in this parent process)")}");
    var work = Directory.CreateTempSubdirectory("resume-after-restart-");
    try
    {
        var path = Path.Combine(work.FullName, "upload.bin");
        var data = RandomNumberGenerator.GetBytes(32 * 1024 * 1024);
        await File.WriteAllBytesAsync(path, data);
        var name = $"samples/resume-after-restart/{Guid.NewGuid()}";
        string[] common = ["--address", url, "--file", path, "--resource", name];

        var (exit1, sent1) = await RunChildAsync(["--run", "1", .. common, "--exit-after", (data.Length / 2).ToString(CultureInfo.InvariantCulture)]);
        var (exit2, sent2) = await RunChildAsync(["--run", "2", .. common]);
        if (exit1 != ExitedMidway || exit2 != 0)
        {
            Console.Error.WriteLine($"ResumeAfterRestart: run 1 exited with {exit1} (expected {ExitedMidway}), run 2 with {exit2} (expected 0)");
            return 1;
        }

        using var channel = GrpcChannel.ForAddress(url);
        var stored = await new ByteStreamClient(channel).ReadAllBytesAsync(name);
        if (!stored.AsSpan().SequenceEqual(data))
        {
            Console.Error.WriteLine("ResumeAfterRestart: MISMATCH: the server holds different bytes");
            return 1;
        }

        Console.WriteLine($"ResumeAfterRestart: both runs sent {sent1 + sent2:N0} bytes for a {data.Length:N0}-byte file (run 1: {sent1:N0}, run 2: {sent2:N0}); SHA-256 verified: {Convert.ToHexStringLower(SHA256.HashData(stored))}");
        return 0;
    }
    finally
    {
        work.Delete(recursive: true);
    }
}

// One run, in its own process: the same code a real program would run after every start.
static async Task<int> RunOnceAsync(string run, string url, string path, string name, long? exitAfter)
{
    using var channel = GrpcChannel.ForAddress(url);
    var client = new ByteStreamClient(channel);
    long committedBefore;
    try
    {
        committedBefore = (await client.QueryWriteStatusAsync(name)).CommittedSize;
    }
    catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
    {
        committedBefore = 0;
    }

    Console.WriteLine($"run {run}: process {Environment.ProcessId} starts; the server has committed {committedBefore:N0} bytes");
    await using var file = File.OpenRead(path);
    var options = new UploadOptions
    {
        ResumeExistingUpload = true,
        Progress = exitAfter is { } limit ? new ExitWhenSent(run, limit, ExitedMidway) : null,
    };
    var result = await client.UploadAsync(name, file, options);
    Console.WriteLine($"run {run}: resumed from committed_size {committedBefore:N0}, sent {result.BytesSent:N0} bytes (only the rest), committed {result.CommittedSize:N0}: complete");
    Console.WriteLine($"sent={result.BytesSent}");
    return 0;
}

static async Task<(int ExitCode, long Sent)> RunChildAsync(string[] arguments)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };

    // Under `dotnet ResumeAfterRestart.dll` this process is the dotnet host: give it the app again.
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
    {
        start.ArgumentList.Add(typeof(ExitWhenSent).Assembly.Location);
    }

    foreach (var argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    using var child = Process.Start(start)!;
    using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
    long sent = 0;
    while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
    {
        if (line.StartsWith("sent=", StringComparison.Ordinal))
        {
            sent = long.Parse(line["sent=".Length..], CultureInfo.InvariantCulture);
        }
        else
        {
            Console.WriteLine($"  {line}");
        }
    }

    await child.WaitForExitAsync(timeout.Token);
    return (child.ExitCode, sent);
}

/// <summary>Ends the process once the upload has sent <c>limit</c> bytes: no finish_write, no clean shutdown.</summary>
internal sealed class ExitWhenSent(string run, long limit, int exitCode) : IProgress<TransferProgress>
{
    public void Report(TransferProgress value)
    {
        if (value.BytesTransferred >= limit)
        {
            Console.WriteLine($"run {run}: sent {value.BytesTransferred:N0} of {value.TotalBytes:N0} bytes; the process exits now, midway");
            Console.WriteLine($"sent={value.BytesTransferred}");
            Console.Out.Flush();
            Environment.Exit(exitCode);
        }
    }
}
