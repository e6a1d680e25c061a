using System.CommandLine;

namespace Bytestream.Cli;

/// <summary>Runs a command's body and turns whatever it throws into one line on stderr and an exit code.</summary>
internal static class CommandRunner
{
    public static void SetBody(Command command, Func<ParseResult, Output, CancellationToken, Task<int>> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = new Output(parse.GetValue(GlobalOptions.Json), parse.GetValue(GlobalOptions.Verbose));
            try
            {
                return await body(parse, output, cancellationToken);
            }
            catch (Exception exception)
            {
                var (exitCode, message) = ErrorReport.Describe(exception);
                return output.Error(exitCode, message, exception);
            }
        });
}
