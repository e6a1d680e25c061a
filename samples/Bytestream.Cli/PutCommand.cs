using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream put FILE --instance NAME</c>: stores a file as a REAPI blob. Hashes it, uploads it under a
/// fresh upload name (compressed with --compress zstd), and prints the blob's read name, the one line on
/// stdout, so <c>name=$(bytestream put ...)</c> captures it; progress and the summary go to stderr.
/// </summary>
internal static class PutCommand
{
    /// <summary>The digest functions <see cref="BlobResourceName.ComputeFileAsync"/> computes; REAPI's lowercase names.</summary>
    public static readonly string[] DigestFunctions = ["sha256", "sha1", "md5", "sha384", "sha512", "blake3"];

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The local file to store." };
        var instance = new Option<string>("--instance", "-i")
        {
            Description = "The REAPI instance name, e.g. main or ci/linux; --instance '' for the empty one.",
            HelpName = "NAME",
            Required = true,
        };
        var digestFunction = new Option<string>("--digest-function")
        {
            Description = "The hash that names the blob. Default: sha256.",
            HelpName = "F",
            DefaultValueFactory = _ => "sha256",
        };
        digestFunction.AcceptOnlyFromAmong(DigestFunctions);
        var compress = CompressOption.Create(
            "zstd: upload it compressed (a compressed-blobs/zstd/ upload name); auto: compressed from 4 KiB on; none: as it is. Default: none.");
        var client = new ClientOptions();
        var command = new Command("put", "Store a file as a REAPI blob (content-addressed) and print its name, e.g. main/blobs/{sha256}/{size}.")
        {
            file, instance, digestFunction, compress,
        };
        client.AddTo(command);
        CommandRunner.SetBody(command, (parse, output, cancellationToken) => RunAsync(
            parse,
            output,
            client,
            parse.GetRequiredValue(file),
            parse.GetRequiredValue(instance),
            parse.GetRequiredValue(digestFunction),
            parse.GetValue(compress),
            cancellationToken), client);
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parse, Output output, ClientOptions client, FileInfo file, string instance, string digestFunction, BlobCompression? compression, CancellationToken cancellationToken)
    {
        using var remote = client.Connect(parse, output);
        var blob = await BlobResourceName.ComputeFileAsync(instance, file.FullName, digestFunction == "sha256" ? null : digestFunction, cancellationToken);
        var uploadName = (compression == BlobCompression.Zstd ? blob with { Compressor = "zstd" } : blob).ToUploadResourceName(Guid.NewGuid());
        var readName = blob.ToReadResourceName();

        // The client hashes again as it sends, so a file that changed since it was named is refused, not stored.
        await using var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        var watch = Stopwatch.StartNew();
        var result = await TransferDisplay.RunAsync(
            output,
            remote.Events,
            $"put {file.Name}",
            blob.Size,
            progress => remote.Client.UploadAsync(
                uploadName,
                source,
                new UploadOptions { ExpectedLength = blob.Size, Compression = compression, VerifyDigest = true, Progress = progress },
                cancellationToken),
            onStandardError: true);

        var seconds = watch.Elapsed.TotalSeconds;
        output.Result(
            new JsonObject
            {
                ["command"] = "put",
                ["file"] = file.FullName,
                ["name"] = readName,
                ["uploadName"] = uploadName,
                ["digestFunction"] = digestFunction,
                ["hash"] = blob.Hash,
                ["size"] = blob.Size,
                ["bytesSent"] = result.BytesSent,
                ["compressedSize"] = result.CompressedSize,
                ["resumes"] = result.Resumes,
                ["seconds"] = Math.Round(seconds, 3),
            },
            readName);
        output.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"put {file.Name}: {blob.Size:N0} bytes ({digestFunction}), {result.BytesSent:N0} sent{Units.Compression(result.CommittedSize, result.CompressedSize)}, {result.Resumes} resumes, {Units.Duration(result.BytesSent, seconds)}"));
        return ExitCodes.Ok;
    }
}
