using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream download RESOURCE FILE</c>: reads a resource (or a range) into a file, continuing a cut read
/// where it stopped. The file appears only when the download is complete.
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var resource = new Argument<string>("RESOURCE") { Description = "The resource name, e.g. main/blobs/{sha256}/{size}." };
        var file = new Argument<FileInfo>("FILE") { Description = "Where to write it; replaced when the download is complete." };
        var range = new RangeOptions();
        var client = new ClientOptions();
        var command = new Command("download", "Download a resource (or a range of it) to a file, resuming cut reads.") { resource, file };
        range.AddTo(command);
        client.AddTo(command);
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            var name = parse.GetRequiredValue(resource);
            var target = parse.GetRequiredValue(file);
            var offset = parse.GetValue(range.Offset);
            var limit = parse.GetValue(range.Limit);
            using var remote = client.Connect(parse, output);
            long? total = limit > 0 ? limit : BlobResourceName.TryParse(name, out var blob) ? Math.Max(0, blob.Size - offset) : null;

            // Into a file beside the target first, so a failed download never leaves a truncated FILE.
            var partial = target.FullName + ".partial";
            var watch = Stopwatch.StartNew();
            long bytes;
            try
            {
                await using (var destination = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true))
                {
                    bytes = await TransferDisplay.RunAsync(output, remote.Events, $"download {target.Name}", total, progress =>
                        remote.Client.DownloadAsync(name, destination, new DownloadOptions { Offset = offset, Limit = limit, Progress = progress }, cancellationToken));
                }

                File.Move(partial, target.FullName, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }

            var seconds = watch.Elapsed.TotalSeconds;
            output.Result(
                new JsonObject
                {
                    ["command"] = "download",
                    ["resource"] = name,
                    ["file"] = target.FullName,
                    ["offset"] = offset,
                    ["bytes"] = bytes,
                    ["seconds"] = Math.Round(seconds, 3),
                },
                string.Create(CultureInfo.InvariantCulture, $"downloaded {name} to {target.Name}: {bytes:N0} bytes{(offset > 0 ? $" from offset {offset:N0}" : string.Empty)}, {Units.Duration(bytes, seconds)}"));
            return ExitCodes.Ok;
        });
        return command;
    }
}
