using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream get BLOBNAME FILE</c>: fetches a REAPI blob into a file, checked against the digest in its
/// name. The file appears only when every byte arrived and matched; a corrupt blob is refused with exit code 6
/// and leaves nothing behind.
/// </summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var blobName = new Argument<string>("BLOBNAME")
        {
            Description = "The blob's read name, as put prints it: {instance}/blobs/{hash}/{size} (or .../compressed-blobs/zstd/...).",
        };
        var file = new Argument<FileInfo>("FILE") { Description = "Where to write it; replaced only when the blob arrived whole and matched its digest (a link: the file it names; a device or a FIFO: written in place)." };
        var compress = CompressOption.Create(
            "zstd: read it compressed (as compressed-blobs/zstd/; the file gets the plain bytes); auto: compressed from 4 KiB on; none: as it is. Default: none.");
        var noVerify = NoVerifyOption.Create();
        var client = new ClientOptions();
        var command = new Command("get", "Fetch a REAPI blob into a file, checking its digest (SHA-256, SHA-1, MD5, SHA-384, SHA-512, BLAKE3).")
        {
            blobName, file, compress, noVerify,
        };
        client.AddTo(command);
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            var name = parse.GetRequiredValue(blobName);
            var target = parse.GetRequiredValue(file);
            var verify = !parse.GetValue(noVerify);
            var blob = ParseReadName(name);
            using var remote = client.Connect(parse, output);
            var (bytes, seconds, wireBytes) = await FileDownload.RunAsync(output, remote, $"get {target.Name}", blob.Size, name, target,
                progress => new DownloadOptions { VerifyDigest = verify, Compression = parse.GetValue(compress), Progress = progress },
                cancellationToken);
            var checkedDigest = verify && IsChecked(blob);
            output.Result(
                new JsonObject
                {
                    ["command"] = "get",
                    ["resource"] = name,
                    ["file"] = target.FullName,
                    ["bytes"] = bytes,
                    ["wireBytes"] = wireBytes,
                    ["verified"] = checkedDigest,
                    ["seconds"] = Math.Round(seconds, 3),
                },
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"got {name} into {target.Name}: {bytes:N0} bytes{Units.ReceivedCompression(bytes, wireBytes)}, {(checkedDigest ? "digest checked" : verify ? "digest not checked (its function is not one the client computes)" : "digest not checked (--no-verify)")}, {Units.Duration(bytes, seconds)}"));
            return ExitCodes.Ok;
        }, client);
        return command;
    }

    /// <summary>Parses a blob's read name; an upload name or anything else is a usage error that says what get takes.</summary>
    private static BlobResourceName ParseReadName(string name)
    {
        BlobResourceName blob;
        try
        {
            blob = BlobResourceName.Parse(name);
        }
        catch (FormatException exception)
        {
            throw new UsageException($"get takes a REAPI blob name: {exception.Message} (for other resources use 'bytestream download')", exception);
        }

        // Read names are canonical: an upload name (uploads/{uuid}/..., metadata) parses too, but reads nothing.
        if (blob.ToReadResourceName() != name)
        {
            throw new UsageException($"'{name}' is not a blob's read name; read it as '{blob.ToReadResourceName()}'");
        }

        return blob;
    }

    /// <summary>
    /// Whether the client checks this blob's digest: the functions it computes (SHA-256, SHA-1, MD5, SHA-384 and
    /// SHA-512, named by their hash length, and BLAKE3); it reads others, such as sha256tree, unchecked.
    /// </summary>
    private static bool IsChecked(BlobResourceName blob) => blob.DigestFunction is null
        ? blob.Hash.Length is 32 or 40 or 64 or 96 or 128
        : blob.DigestFunction == "blake3";
}
