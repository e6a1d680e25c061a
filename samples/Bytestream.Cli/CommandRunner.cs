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
            catch (Exception exception)
            {
                var stopped = exception as UploadStoppedException;
                var cause = stopped?.InnerException ?? exception;
                var (exitCode, message) = cause is OperationCanceledException && timeout is not null && !cancellationToken.IsCancellationRequested
                    ? (ExitCodes.Unreachable, $"timed out after {Duration.Format(timeout.Value)} (--timeout)")
                    : ErrorReport.Describe(cause);
                return output.Error(exitCode, stopped is null ? message : $"{stopped.Command} {message}; {stopped.Hint}", cause);
            }
        });
}
