using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bytestream.Client;
using Bytestream.Client.Tests.Infrastructure;
using Bytestream.Testing;
using Grpc.Net.Client;

namespace Bytestream.Cli.Tests;

/// <summary>Unfinished uploads stay resumable: across a restart of <c>serve</c>, and when the upload itself is stopped.</summary>
public partial class ToolResumeTests
{
    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateDirectory() => _work = Directory.CreateTempSubdirectory("bytestream-cli-resume-");

    [TearDown]
    public void DeleteDirectory() => _work.Delete(recursive: true);

    [Test]
    public async Task ServeRestart_PartialUploadSurvives_UploadResumeSendsOnlyTheRest()
    {
        var data = TestFiles.Random(4 * 1024 * 1024, seed: 5);
        var source = TestFiles.Write(_work.FullName, "partial.bin", data);
        var root = Path.Combine(_work.FullName, "root");
        const string name = "main/uploads/0e0e0e0e-0000-4000-8000-000000000003/blobs/0123abcd/4194304";
        int port;
        using (var first = await ServeProcess.StartAsync("--port", "0", "--root", root))
        {
            // Half the file goes out on a Write call that stays open; then the server dies under it.
            port = first.Address.Port;
            using var channel = GrpcChannel.ForAddress(first.Address);
            var client = new ByteStreamClient(channel);
            var stream = client.OpenWrite(name);
            await stream.WriteAsync(data.AsMemory(0, data.Length / 2)).AsTask().DefaultTimeout();
            await stream.FlushAsync().DefaultTimeout();
            await WaitUntilCommittedAsync(client, name, data.Length / 2);

            // SIGKILL: no shutdown code runs, the files are all that is left.
            first.Program.Kill();
            stream.Abort();
        }

        using var second = await ServeProcess.StartAsync("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--root", root);
        var status = await Programs.RunAsync("bytestream", "status", name, "--address", second.Url, "--json");
        var resume = await Programs.RunAsync("bytestream", "upload", source, name, "--resume", "--address", second.Url, "--json");

        using var statusJson = JsonDocument.Parse(status.StandardOutput);
        using var resumeJson = JsonDocument.Parse(resume.StandardOutput);
        var committed = statusJson.RootElement.GetProperty("committedSize").GetInt64();
        Assert.Multiple(() =>
        {
            Assert.That(committed, Is.EqualTo(data.Length / 2), "the restarted server knows the partial upload");
            Assert.That(statusJson.RootElement.GetProperty("complete").GetBoolean(), Is.False);
            Assert.That(resume.ExitCode, Is.EqualTo(0), resume.ToString());
            Assert.That(resumeJson.RootElement.GetProperty("bytesSent").GetInt64(), Is.EqualTo(data.Length - committed), "only the rest is sent");
            Assert.That(TestFiles.Sha256(Path.Combine(root, "main", "blobs", "0123abcd", "4194304")), Is.EqualTo(TestFiles.Sha256(data)));
        });
    }

    [Test]
    public async Task Upload_StoppedBySignal_ExitCode130_LeavesItResumable_AndSaysHow()
    {
        // The server stops taking bytes after 1 MiB, so the upload is surely in flight when it is stopped.
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 1024 * 1024);
        var data = TestFiles.Random(4 * 1024 * 1024, seed: 6);
        var source = TestFiles.Write(_work.FullName, "stopped.bin", data);
        var url = server.Address.ToString().TrimEnd('/');
        using var upload = Programs.Start("bytestream", "upload", source, "stopped/blob", "--address", url);
        await WaitUntilCommittedAsync(server, "stopped/blob", 1024 * 1024);

        // 1 MiB committed is the first chunk; the stall is taken by the request that crosses the mark. Stop only once
        // that request has arrived, or the stall would be left armed for the resumed upload (which then hangs).
        await Eventually.UntilAsync(
            () => server.WriteRequests.Any(r => r.WriteOffset >= 1024 * 1024),
            "the request past 1 MiB to reach the server and take the stall");
        upload.Terminate();
        var stopped = await upload.WaitAsync();
        var resume = await Programs.RunAsync("bytestream", "upload", source, "stopped/blob", "--resume", "--address", url, "--json");

        using var resumeJson = JsonDocument.Parse(resume.StandardOutput);
        Assert.Multiple(() =>
        {
            Assert.That(stopped.ExitCode, Is.EqualTo(130), stopped.ToString());
            Assert.That(stopped.ErrorLines, Has.Length.EqualTo(1), stopped.ToString());
            Assert.That(stopped.StandardError, Does.Contain("cancelled").And.Contain("holds 1,048,576 of 4,194,304 bytes").And.Contain("bytestream upload --resume"));
            Assert.That(resume.ExitCode, Is.EqualTo(0), resume.ToString());
            Assert.That(resumeJson.RootElement.GetProperty("bytesSent").GetInt64(), Is.EqualTo(3 * 1024 * 1024), "only the rest is sent");
            Assert.That(server.TryGetResource("stopped/blob", out var stored), Is.True, "a complete resource");
            Assert.That(stored, Is.EqualTo(data));
        });
    }

    [Test]
    public async Task Put_StoppedBySignal_SaysHowToContinue_AndTheHintedCommandSendsOnlyTheRest()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 1024 * 1024);
        var data = TestFiles.Random(4 * 1024 * 1024, seed: 7);
        var source = TestFiles.Write(_work.FullName, "put-stopped.bin", data);
        var url = server.Address.ToString().TrimEnd('/');
        using var put = Programs.Start("bytestream", "put", source, "--instance", "main", "--address", url);
        await Eventually.UntilAsync(
            () => server.WriteRequests.Any(r => r.WriteOffset >= 1024 * 1024),
            "the request past 1 MiB to reach the server and take the stall");
        put.Terminate();
        var stopped = await put.WaitAsync();
        var before = server.WriteRequests.Count;

        // Run exactly what the message says (the temporary path has no spaces, so nothing in it is quoted).
        var hint = HintedCommand().Match(stopped.StandardError);
        Assert.That(hint.Success, Is.True, stopped.ToString());
        var resume = await Programs.RunAsync("bytestream", [.. hint.Groups[1].Value.Split(' '), "--json"]);

        var uploadName = ResumeName().Match(stopped.StandardError).Groups[1].Value;
        var resumed = server.WriteRequests.Skip(before).ToArray();
        using var json = JsonDocument.Parse(resume.StandardOutput);
        var readName = $"main/blobs/{TestFiles.Sha256(data)}/{data.Length}";
        Assert.Multiple(() =>
        {
            Assert.That(stopped.ExitCode, Is.EqualTo(130), stopped.ToString());
            Assert.That(stopped.StandardError, Does.Contain("bytestream: put cancelled; the server holds 1,048,576 of 4,194,304 bytes; continue with: bytestream put "));
            Assert.That(uploadName, Does.Match($"^main/uploads/[0-9a-f-]{{36}}/blobs/{TestFiles.Sha256(data)}/{data.Length}$"));
            Assert.That(resume.ExitCode, Is.EqualTo(0), resume.ToString());
            Assert.That(json.RootElement.GetProperty("name").GetString(), Is.EqualTo(readName));
            Assert.That(json.RootElement.GetProperty("uploadName").GetString(), Is.EqualTo(uploadName), "the same upload name");
            Assert.That(json.RootElement.GetProperty("bytesSent").GetInt64(), Is.EqualTo(3 * 1024 * 1024), "only the rest is sent");
            Assert.That(json.RootElement.GetProperty("alreadyCommitted").GetInt64(), Is.EqualTo(1024 * 1024));
            Assert.That(resumed.Select(r => r.ResourceName).Distinct(), Is.EqualTo(new[] { uploadName }));
            Assert.That(resumed.Min(r => r.WriteOffset), Is.EqualTo(1024 * 1024), "the continued upload's first request starts where the server stood");
            Assert.That(resumed.Sum(r => (long)r.DataLength), Is.EqualTo(3 * 1024 * 1024));
            Assert.That(server.TryGetResource(readName, out var stored) ? TestFiles.Sha256(stored) : "not stored", Is.EqualTo(TestFiles.Sha256(data)));
        });
    }

    [Test]
    public async Task Put_StoppedByTimeout_ExitCode3_AndSaysHowToContinue()
    {
        // The server stops taking bytes after 1 MiB; --timeout ends the command, which says so, and how to continue.
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 1024 * 1024);
        var source = TestFiles.Write(_work.FullName, "put-timeout.bin", TestFiles.Random(4 * 1024 * 1024, seed: 11));

        var result = await Programs.RunAsync("bytestream", "put", source, "--instance", "main", "--timeout", "3s", "--address", server.Address.ToString().TrimEnd('/'));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(3), result.ToString());
            Assert.That(result.StandardError, Does.Contain("bytestream: put timed out after 3s (--timeout); the server holds 1,048,576 of 4,194,304 bytes; continue with: bytestream put "));
        });
    }

    [Test]
    public async Task Put_Compressed_StoppedBySignal_SaysToRunItAgain_AndResumeRefusesCompression()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        server.Faults.StallNext(ByteStreamMethod.Write, afterBytes: 1024 * 1024);
        var data = TestFiles.Random(4 * 1024 * 1024, seed: 8);
        var source = TestFiles.Write(_work.FullName, "put-compressed.bin", data);
        var url = server.Address.ToString().TrimEnd('/');
        using var put = Programs.Start("bytestream", "put", source, "--instance", "main", "--compress", "zstd", "--address", url);
        await Eventually.UntilAsync(
            () => server.WriteRequests.Any(r => r.WriteOffset >= 1024 * 1024),
            "the request past 1 MiB to reach the server and take the stall");
        put.Terminate();
        var stopped = await put.WaitAsync();
        var refused = await Programs.RunAsync(
            "bytestream", "put", source, "--instance", "main", "--compress", "zstd", "--resume", $"main/uploads/{Guid.NewGuid()}/blobs/{TestFiles.Sha256(data)}/{data.Length}", "--address", url);

        Assert.Multiple(() =>
        {
            Assert.That(stopped.ExitCode, Is.EqualTo(130), stopped.ToString());
            Assert.That(stopped.StandardError, Does.Contain("a compressed upload cannot continue where it stopped: run the same command again"));
            Assert.That(stopped.StandardError, Does.Not.Contain("--resume"));
            Assert.That(refused.ExitCode, Is.EqualTo(2), refused.ToString());
            Assert.That(refused.StandardError, Does.Contain("--resume continues a plain upload only"));
        });
    }

    [Test]
    public async Task Put_ResumeOfAnotherBlob_ExitCode2_BeforeAnyWrite()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        var source = TestFiles.Write(_work.FullName, "other.bin", TestFiles.Random(1000, seed: 9));
        var otherBlob = $"main/uploads/{Guid.NewGuid()}/blobs/{TestFiles.Sha256(TestFiles.Random(1000, seed: 10))}/1000";

        var result = await Programs.RunAsync("bytestream", "put", source, "--instance", "main", "--resume", otherBlob, "--address", server.Address.ToString().TrimEnd('/'));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.ToString());
            Assert.That(result.StandardError, Does.Contain("--resume names an upload of main/blobs/"));
            Assert.That(server.WriteRequests, Is.Empty);
        });
    }

    /// <summary>Polls QueryWriteStatus until the upload reached <paramref name="size"/> (NOT_FOUND: not started yet); bounded.</summary>
    private static async Task WaitUntilCommittedAsync(ByteStreamClient client, string name, long size)
    {
        await Eventually.UntilAsync(async () => await CommittedAsync() >= size, $"QueryWriteStatus of '{name}' to report {size} bytes committed");

        async Task<long> CommittedAsync()
        {
            try
            {
                return (await client.QueryWriteStatusAsync(name)).CommittedSize;
            }
            catch (Grpc.Core.RpcException exception) when (exception.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                return 0;
            }
        }
    }

    [GeneratedRegex(@"continue with: bytestream (put .+?) \(and the same options\)")]
    private static partial Regex HintedCommand();

    [GeneratedRegex(@"--resume (\S+)")]
    private static partial Regex ResumeName();

    /// <summary>Polls the server's true state (in-process, cheap) until the upload reached <paramref name="size"/>; bounded.</summary>
    private static async Task WaitUntilCommittedAsync(ByteStreamTestServer server, string name, long size)
    {
        await Eventually.UntilAsync(() => server.TryGetWriteStatus(name, out var committed, out _) && committed >= size, $"the server to hold {size} bytes of '{name}'");
    }
}
