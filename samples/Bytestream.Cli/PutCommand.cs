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
/// Stopped (Ctrl+C, SIGTERM) or cut off, it says how to continue: <c>--resume UPLOAD_NAME</c> sends only what the
/// server does not hold. A compressed upload cannot continue mid-stream (it starts again at 0), so its hint says to
/// run the command again.
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
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue a put that stopped short: the upload name its message printed. Only the bytes the server does not hold are sent. Not with --compress zstd or auto.",
            HelpName = "UPLOAD_NAME",
        };
        var client = new ClientOptions();
        var command = new Command("put", "Store a file as a REAPI blob (content-addressed) and print its name, e.g. main/blobs/{sha256}/{size}.")
        {
            file, instance, digestFunction, compress, resume,
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
            parse.GetValue(resume),
            cancellationToken), client);
        return command;
    }

    private static async Task<int> RunAsync(
        ParseResult parse,
        Output output,
        ClientOptions client,
        FileInfo file,
        string instance,
        string digestFunction,
        BlobCompression? compression,
        string? resume,
        CancellationToken cancellationToken)
    {
        var compressed = compression is BlobCompression.Zstd or BlobCompression.Auto;
        if (resume is not null && compressed)
        {
            throw new UsageException("--resume continues a plain upload only: a compressed upload cannot continue mid-stream (run put again; it starts at 0)");
        }

        using var remote = client.Connect(parse, output);
        var blob = await BlobResourceName.ComputeFileAsync(instance, file.FullName, digestFunction == "sha256" ? null : digestFunction, cancellationToken);
        var uploadName = resume is null
            ? (compression == BlobCompression.Zstd ? blob with { Compressor = "zstd" } : blob).ToUploadResourceName(Guid.NewGuid())
            : CheckResumeName(resume, blob);
        var readName = blob.ToReadResourceName();

        // The client hashes again as it sends, so a file that changed since it was named is refused, not stored. A
        // resumed put sends only the rest, which the client cannot hash alone: the file was hashed above.
        await using var source = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, useAsync: true);
        var watch = Stopwatch.StartNew();
        UploadResult result;
        try
        {
            result = await TransferDisplay.RunAsync(
                output,
                remote.Events,
                $"put {file.Name}",
                blob.Size,
                progress => remote.Client.UploadAsync(
                    uploadName,
                    source,
                    new UploadOptions
                    {
                        ExpectedLength = blob.Size,
                        Compression = compression,
                        VerifyDigest = resume is null,
                        ResumeExistingUpload = resume is not null,
                        Progress = progress,
                    },
                    cancellationToken),
                onStandardError: true);
        }
        catch (Exception exception) when (ResumeHint.Applies(exception))
        {
            if (compressed)
            {
                throw new UploadStoppedException(
                    "put", "a compressed upload cannot continue where it stopped: run the same command again (it starts at 0; with --compress none a put can continue)", exception);
            }

            var held = await ResumeHint.HeldAsync(remote.Client, uploadName, blob.Size);
            var function = digestFunction == "sha256" ? string.Empty : $" --digest-function {digestFunction}";
            throw new UploadStoppedException(
                "put",
                $"{held}continue with: bytestream put {ResumeHint.Quote(file.FullName)} --instance {ResumeHint.Quote(instance)}{function} --resume {ResumeHint.Quote(uploadName)} --address {ResumeHint.Address(remote)} (and the same options)",
                exception);
        }

        var seconds = watch.Elapsed.TotalSeconds;

        // The rate counts the file's bytes this run moved (payload); a compressed upload's wire bytes go beside it.
        var payload = result.CompressedSize is null ? result.BytesSent : result.BytesSent > 0 ? result.CommittedSize : 0;
        var alreadyCommitted = resume is not null && result.CompressedSize is null ? Math.Max(0, result.CommittedSize - result.BytesSent) : 0;
        var wire = result.CompressedSize is null
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"; {result.BytesSent:N0} bytes on the wire, {Units.Rate(result.BytesSent / Math.Max(seconds, 1e-6))}");
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
                ["alreadyCommitted"] = alreadyCommitted,
                ["compressedSize"] = result.CompressedSize,
                ["resumes"] = result.Resumes,
                ["seconds"] = Math.Round(seconds, 3),
            },
            readName);
        output.Note(string.Create(
            CultureInfo.InvariantCulture,
            $"put {file.Name}: {blob.Size:N0} bytes ({digestFunction}), {payload:N0} sent{Units.Compression(result.CommittedSize, result.CompressedSize)}{(alreadyCommitted > 0 ? $" ({alreadyCommitted:N0} were already committed)" : string.Empty)}, {result.Resumes} resumes, {seconds:0.00} s ({Units.Rate(payload / Math.Max(seconds, 1e-6))}{wire})"));
        return ExitCodes.Ok;
    }

    /// <summary>Checks that --resume names an upload of this very file's blob (its instance, digest and size), not a read name or another blob.</summary>
    /// <exception cref="UsageException">It does not.</exception>
    private static string CheckResumeName(string resume, BlobResourceName blob)
    {
        if (!BlobResourceName.TryParse(resume, out var held) || held.Compressor is not null || held.ToReadResourceName() == resume)
        {
            throw new UsageException($"--resume takes the upload name a stopped put printed ({{instance}}/uploads/{{uuid}}/blobs/...), not '{resume}'");
        }

        return held.ToReadResourceName() == blob.ToReadResourceName()
            ? resume
            : throw new UsageException($"--resume names an upload of {held.ToReadResourceName()}, but the file is {blob.ToReadResourceName()}: a changed file or another --instance or --digest-function");
    }
}
