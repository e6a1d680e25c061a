using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream download RESOURCE FILE</c>: reads a resource (or a range) into a file, continuing a cut read
/// where it stopped. The file appears only when the download is complete (and, for a whole REAPI blob, matched its digest).
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var resource = new Argument<string>("RESOURCE") { Description = "The resource name, e.g. main/blobs/{sha256}/{size}." };
        var file = new Argument<FileInfo>("FILE") { Description = "Where to write it; replaced when the download is complete (a link: the file it names; a device or a FIFO: written in place)." };
        var range = new RangeOptions();
        var compress = CompressOption.Create(
            "For a REAPI blob name: zstd reads it compressed (as compressed-blobs/zstd/; the file gets the plain bytes), auto from 4 KiB on, none as it is. Not with --limit. Default: none.");
        var noVerify = NoVerifyOption.Create();
        var client = new ClientOptions();
        var command = new Command("download", "Download a resource (or a range of it) to a file, resuming cut reads; a whole REAPI blob is checked against its digest.")
        {
            resource, file, compress, noVerify,
        };
        range.AddTo(command);
        client.AddTo(command);
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            var name = parse.GetRequiredValue(resource);
            var target = parse.GetRequiredValue(file);
            var offset = parse.GetValue(range.Offset);
            var limit = parse.GetValue(range.Limit);
            var compression = parse.GetValue(compress);
            CompressOption.CheckApplies(compression, name);
            if (compression == BlobCompression.Zstd && limit > 0)
            {
                throw new UsageException("--compress zstd cannot be combined with --limit: REAPI reads of compressed blobs have no limit");
            }

            using var remote = client.Connect(parse, output);
            long? total = limit > 0 ? limit : BlobResourceName.TryParse(name, out var blob) ? Math.Max(0, blob.Size - offset) : null;

            var (bytes, seconds, wireBytes) = await FileDownload.RunAsync(output, remote, $"download {target.Name}", total, name, target,
                progress => new DownloadOptions { Offset = offset, Limit = limit, Compression = compression, VerifyDigest = !parse.GetValue(noVerify), Progress = progress },
                cancellationToken);
            output.Result(
                new JsonObject
                {
                    ["command"] = "download",
                    ["resource"] = name,
                    ["file"] = target.FullName,
                    ["offset"] = offset,
                    ["bytes"] = bytes,
                    ["wireBytes"] = wireBytes,
                    ["seconds"] = Math.Round(seconds, 3),
                },
                string.Create(CultureInfo.InvariantCulture, $"downloaded {name} to {target.Name}: {bytes:N0} bytes{(offset > 0 ? $" from offset {offset:N0}" : string.Empty)}{Units.ReceivedCompression(bytes, wireBytes)}, {Units.Duration(bytes, seconds)}"));
            return ExitCodes.Ok;
        }, client);
        return command;
    }
}
