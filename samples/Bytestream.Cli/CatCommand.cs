using System.CommandLine;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// <c>bytestream cat RESOURCE</c>: a resource's bytes to stdout, resuming cut reads; stdout holds nothing else. A whole
/// REAPI blob is checked against its digest as it streams: a mismatch is found after its bytes went out, so the error
/// says they do not match (exit code 6).
/// </summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var resource = new Argument<string>("RESOURCE") { Description = "The resource name." };
        var range = new RangeOptions();
        var noVerify = NoVerifyOption.Create();
        var client = new ClientOptions();
        var command = new Command("cat", "Write a resource to stdout (no progress, no result line: stdout is the data).") { resource, noVerify };
        range.AddTo(command);
        client.AddTo(command);
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            using var remote = client.Connect(parse, output);
            await using var stdout = Console.OpenStandardOutput();
            try
            {
                await remote.Client.DownloadAsync(
                    parse.GetRequiredValue(resource),
                    stdout,
                    new DownloadOptions { Offset = parse.GetValue(range.Offset), Limit = parse.GetValue(range.Limit), VerifyDigest = !parse.GetValue(noVerify) },
                    cancellationToken);
            }
            catch (ByteStreamException exception) when (ErrorReport.IsDigestMismatch(exception))
            {
                throw ErrorReport.WrittenBeforeMismatch(exception, "stdout");
            }

            await stdout.FlushAsync(cancellationToken);
            return ExitCodes.Ok;
        }, client);
        return command;
    }
}
