using System.CommandLine;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary><c>bytestream cat RESOURCE</c>: a resource's bytes to stdout, resuming cut reads; stdout holds nothing else.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var resource = new Argument<string>("RESOURCE") { Description = "The resource name." };
        var range = new RangeOptions();
        var client = new ClientOptions();
        var command = new Command("cat", "Write a resource to stdout (no progress, no result line: stdout is the data).") { resource };
        range.AddTo(command);
        client.AddTo(command);
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            using var remote = client.Connect(parse, output);
            await using var stdout = Console.OpenStandardOutput();
            await remote.Client.DownloadAsync(
                parse.GetRequiredValue(resource),
                stdout,
                new DownloadOptions { Offset = parse.GetValue(range.Offset), Limit = parse.GetValue(range.Limit) },
                cancellationToken);
            await stdout.FlushAsync(cancellationToken);
            return ExitCodes.Ok;
        }, client);
        return command;
    }
}
