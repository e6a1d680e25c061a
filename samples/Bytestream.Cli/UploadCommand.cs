using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream upload FILE RESOURCE</c>: uploads a file, resuming from the server's committed size after a
/// failure; <c>--resume</c> continues an upload an earlier run left unfinished. Stopped (Ctrl+C) or cut off, it
/// leaves the upload resumable and says how to continue.
/// </summary>
internal static class UploadCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The local file to upload." };
        var resource = new Argument<string>("RESOURCE") { Description = "The resource name, e.g. main/uploads/{uuid}/blobs/{sha256}/{size} for a REAPI cache." };
        var resume = new Option<bool>("--resume")
        {
            Description = "Continue an upload an earlier run left unfinished: ask the server what it committed and send only the rest.",
        };
        var compress = CompressOption.Create(
            "For a REAPI upload name (.../uploads/{uuid}/blobs/...): zstd sends it compressed (as compressed-blobs/zstd/), auto from 4 KiB on, none as it is. Default: none.");
        var client = new ClientOptions();
        var command = new Command("upload", "Upload a file to a resource, resuming after failures.") { file, resource, resume, compress };
        client.AddTo(command);
        CommandRunner.SetBody(command, (parse, output, cancellationToken) =>
            RunAsync(parse, output, client, parse.GetRequiredValue(file), parse.GetRequiredValue(resource), parse.GetValue(resume), parse.GetValue(compress), cancellationToken), client);
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parse, Output output, ClientOptions client, FileInfo file, string resource, bool resume, BlobCompression? compression, CancellationToken cancellationToken)
    {
        CompressOption.CheckApplies(compression, resource);

        // A compressed upload restarts at 0 after a failure (the server counts compressed bytes): --resume skips nothing.
        var compressed = compression is BlobCompression.Zstd or BlobCompression.Auto
            || (BlobResourceName.TryParse(resource, out var blob) && blob.Compressor is not null);
        await using var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        var length = source.Length;
        using var remote = client.Connect(parse, output);
        var watch = Stopwatch.StartNew();
        UploadResult result;
        try
        {
            result = await TransferDisplay.RunAsync(output, remote.Events, $"upload {file.Name}", length, progress =>
                remote.Client.UploadAsync(
                    resource,
                    source,
                    new UploadOptions { ResumeExistingUpload = resume, ExpectedLength = length, Compression = compression, Progress = progress },
                    cancellationToken));
        }
        catch (Exception exception) when (ResumeHint.Applies(exception))
        {
            // What the server committed stays there: tell the user how much, and how to continue.
            if (compressed)
            {
                throw new UploadStoppedException("upload", "a compressed upload starts again at 0: run the same command again", exception);
            }

            var held = await ResumeHint.HeldAsync(remote.Client, resource, length);
            throw new UploadStoppedException(
                "upload",
                $"{held}continue with: bytestream upload --resume {ResumeHint.Quote(file.FullName)} {ResumeHint.Quote(resource)} --address {ResumeHint.Address(remote)} (and the same options)",
                exception);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var skipped = result.CommittedSize - result.BytesSent;
        output.Result(
            new JsonObject
            {
                ["command"] = "upload",
                ["file"] = file.FullName,
                ["resource"] = resource,
                ["committedSize"] = result.CommittedSize,
                ["bytesSent"] = result.BytesSent,
                ["compressedSize"] = result.CompressedSize,
                ["resumes"] = result.Resumes,
                ["seconds"] = Math.Round(seconds, 3),
            },
            string.Create(CultureInfo.InvariantCulture, $"uploaded {file.Name} to {resource}: {result.CommittedSize:N0} bytes committed, {result.BytesSent:N0} sent{Units.Compression(result.CommittedSize, result.CompressedSize)}{(resume && skipped > 0 ? $" ({skipped:N0} were already committed)" : string.Empty)}, {result.Resumes} resumes, {Units.Duration(result.BytesSent, seconds)}"));
        return ExitCodes.Ok;
    }
}
