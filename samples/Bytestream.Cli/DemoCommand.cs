using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Bytestream.Client;
using Bytestream.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream demo</c>: a resumable round trip against an embedded test server that cuts the transfers on
/// purpose, so the resumes are visible without a server of the user's: live progress with every cut and
/// resume, then a summary table and the SHA-256 check.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size")
        {
            Description = "MiB of random data to send (1 to 4096).",
            HelpName = "MiB",
            DefaultValueFactory = _ => 64,
        };
        size.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 1 or > 4096)
            {
                result.AddError("--size must be 1 to 4096 (MiB)");
            }
        });
        var cuts = new Option<int>("--cuts")
        {
            Description = "How many times the server cuts the upload, and the download (0 to 100).",
            HelpName = "N",
            DefaultValueFactory = _ => 4,
        };
        cuts.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 100)
            {
                result.AddError("--cuts must be 0 to 100");
            }
        });
        var command = new Command("demo", "Upload a generated file to an embedded test server through N injected cuts, download it back through cuts too, and verify its SHA-256.")
        {
            size, cuts,
        };
        CommandRunner.SetBody(command, (parse, output, cancellationToken) =>
            RunAsync(output, parse.GetValue(size), parse.GetValue(cuts), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(Output output, int sizeMiB, int cuts, CancellationToken cancellationToken)
    {
        var size = sizeMiB * 1024L * 1024;
        var workDir = Directory.CreateTempSubdirectory("bytestream-demo-");
        try
        {
            var source = Path.Combine(workDir.FullName, "source.bin");
            var copy = Path.Combine(workDir.FullName, "downloaded.bin");
            output.Line($"demo: generating {sizeMiB} MiB of random data in {source}");
            var sourceHash = await GenerateAsync(source, size, cancellationToken);
            var blob = new BlobResourceName("demo", sourceHash, size);

            await using var server = await ByteStreamTestServer.StartAsync(cancellationToken);
            using var channel = server.CreateChannel();
            var events = new TransferEvents();
            using var loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(events));
            var client = new ByteStreamClient(channel, new ByteStreamClientOptions { LoggerFactory = loggerFactory });
            output.Line($"demo: embedded ByteStream test server on {server.Address.ToString().TrimEnd('/')}");

            // Cut each direction `cuts` times, evenly spread: every cut ends the call with UNAVAILABLE.
            var cutEvery = Math.Max(1, size / (cuts + 1));
            if (cuts > 0)
            {
                server.Faults.CutWrite(cutEvery, StatusCode.Unavailable, times: cuts);
                server.Faults.CutRead(cutEvery, StatusCode.Unavailable, times: cuts);
                output.Line(string.Create(CultureInfo.InvariantCulture, $"demo: the server will cut the upload and the download every {cutEvery / (1024.0 * 1024):0.#} MiB ({cuts} cuts each)"));
            }

            var uploadName = blob.ToUploadResourceName(Guid.NewGuid());
            output.Line($"upload:   {uploadName}");
            var watch = Stopwatch.StartNew();
            UploadResult upload;
            await using (var file = File.OpenRead(source))
            {
                upload = await TransferDisplay.RunAsync(output, events, "upload", size, progress =>
                    client.UploadAsync(uploadName, file, new UploadOptions { Progress = progress }, cancellationToken));
            }

            var uploadSeconds = watch.Elapsed.TotalSeconds;
            output.Line(string.Create(CultureInfo.InvariantCulture, $"          {upload.CommittedSize:N0} bytes committed, {upload.BytesSent:N0} bytes sent ({upload.BytesSent - size:N0} re-sent), {upload.Resumes} resumes, {Units.Duration(size, uploadSeconds)}"));

            var readName = blob.ToReadResourceName();
            output.Line($"download: {readName}");
            var readCallsBefore = server.Calls.Count(c => c.Method == ByteStreamMethod.Read);
            watch.Restart();
            long downloaded;
            await using (var file = File.Create(copy))
            {
                downloaded = await TransferDisplay.RunAsync(output, events, "download", size, progress =>
                    client.DownloadAsync(readName, file, new DownloadOptions { Progress = progress }, cancellationToken));
            }

            var downloadSeconds = watch.Elapsed.TotalSeconds;
            var readResumes = server.Calls.Count(c => c.Method == ByteStreamMethod.Read) - readCallsBefore - 1;
            output.Line(string.Create(CultureInfo.InvariantCulture, $"          {downloaded:N0} bytes, {readResumes} resumes, {Units.Duration(downloaded, downloadSeconds)}"));

            var copyHash = await HashFileAsync(copy, cancellationToken);
            var verified = copyHash == sourceHash && downloaded == size;
            if (output.Json)
            {
                output.Result(
                    new JsonObject
                    {
                        ["command"] = "demo",
                        ["bytes"] = size,
                        ["upload"] = Summary(upload.BytesSent, upload.Resumes, upload.BytesSent - size, uploadSeconds),
                        ["download"] = Summary(downloaded, readResumes, 0, downloadSeconds),
                        ["sha256"] = sourceHash,
                        ["verified"] = verified,
                    },
                    string.Empty);
            }
            else
            {
                WriteTable(output, size, upload, uploadSeconds, downloaded, readResumes, downloadSeconds, verified);
            }

            if (!verified)
            {
                return output.Error(ExitCodes.Failure, $"demo: MISMATCH: sent SHA-256 {sourceHash}, received {copyHash} ({downloaded} bytes)");
            }

            output.Line(string.Create(CultureInfo.InvariantCulture, $"SHA-256 verified: {copyHash} ({size:N0} bytes, identical after {upload.Resumes + readResumes} resumes)"));
            return ExitCodes.Ok;
        }
        finally
        {
            workDir.Delete(recursive: true);
        }
    }

    private static JsonObject Summary(long bytes, int resumes, long resent, double seconds) => new()
    {
        ["bytes"] = bytes,
        ["resumes"] = resumes,
        ["resentBytes"] = resent,
        ["seconds"] = Math.Round(seconds, 3),
    };

    private static void WriteTable(Output output, long size, UploadResult upload, double uploadSeconds, long downloaded, int readResumes, double downloadSeconds, bool verified)
    {
        // Box-drawing borders only on a terminal: a log gets plain ASCII.
        var table = new Table { Border = output.Interactive ? TableBorder.Rounded : TableBorder.Ascii }
            .AddColumns("transfer", "bytes sent", "resumes", "re-sent", "seconds", "MiB/s", "SHA-256");
        foreach (var column in table.Columns.Skip(1))
        {
            column.RightAligned();
        }

        string Row(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        var check = verified ? "yes" : "NO";
        table.AddRow("upload", Row($"{upload.BytesSent:N0}"), Row($"{upload.Resumes}"), Row($"{upload.BytesSent - size:N0}"), Row($"{uploadSeconds:0.00}"), Row($"{size / uploadSeconds / (1 << 20):0.0}"), check);
        table.AddRow("download", Row($"{downloaded:N0}"), Row($"{readResumes}"), "0", Row($"{downloadSeconds:0.00}"), Row($"{downloaded / downloadSeconds / (1 << 20):0.0}"), check);
        AnsiConsole.Write(table);
    }

    private static async Task<string> GenerateAsync(string path, long size, CancellationToken cancellationToken)
    {
        var buffer = new byte[1024 * 1024];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = File.Create(path);
        for (long written = 0; written < size; written += buffer.Length)
        {
            var count = (int)Math.Min(buffer.Length, size - written);
            RandomNumberGenerator.Fill(buffer.AsSpan(0, count));
            sha.AppendData(buffer, 0, count);
            await file.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
