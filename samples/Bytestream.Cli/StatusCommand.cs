using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Bytestream.Cli;

/// <summary><c>bytestream status RESOURCE</c>: the server's QueryWriteStatus answer.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var resource = new Argument<string>("RESOURCE") { Description = "The resource name, e.g. main/uploads/{uuid}/blobs/{hash}/{size}." };
        var client = new ClientOptions();
        var command = new Command("status", "Ask the server how much of an upload it has committed (QueryWriteStatus).") { resource };
        client.AddTo(command);
        CommandRunner.SetBody(command, async (parse, output, cancellationToken) =>
        {
            var name = parse.GetRequiredValue(resource);
            using var remote = client.Connect(parse, output);
            var status = await remote.Client.QueryWriteStatusAsync(name, cancellationToken);
            output.Result(
                new JsonObject { ["command"] = "status", ["resource"] = name, ["committedSize"] = status.CommittedSize, ["complete"] = status.Complete },
                string.Create(CultureInfo.InvariantCulture, $"{name}: {status.CommittedSize:N0} bytes committed, {(status.Complete ? "complete" : "not complete (upload --resume continues it)")}"));
            return ExitCodes.Ok;
        }, client);
        return command;
    }
}
