using System.CommandLine;

namespace Bytestream.Cli;

/// <summary>Runs a command's body and turns whatever it throws into one line on stderr and an exit code.</summary>
internal static class CommandRunner
{
    /// <summary>Sets the command's action to <paramref name="body"/>; with <paramref name="client"/>, bounded by its --timeout.</summary>
    public static void SetBody(Command command, Func<ParseResult, Output, CancellationToken, Task<int>> body, ClientOptions? client = null) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = new Output(parse.GetValue(GlobalOptions.Json), parse.GetValue(GlobalOptions.Verbose));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timeout = client?.Timeout(parse);
            if (timeout is not null)
            {
                deadline.CancelAfter(timeout.Value);
            }

            try
            {
                return await body(parse, output, deadline.Token);
            }
            catch (OperationCanceledException exception) when (timeout is not null && !cancellationToken.IsCancellationRequested)
            {
                return output.Error(ExitCodes.Unreachable, $"timed out after {Duration.Format(timeout.Value)} (--timeout)", exception);
            }
            catch (Exception exception)
            {
                var (exitCode, message) = ErrorReport.Describe(exception);
                return output.Error(exitCode, message, exception);
            }
        });
}
