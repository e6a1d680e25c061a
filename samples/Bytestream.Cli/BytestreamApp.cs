using System.CommandLine;

namespace Bytestream.Cli;

/// <summary>The command line of <c>bytestream</c>: its commands, parsing, and what a bad argument does (exit code 2, one line).</summary>
internal static class BytestreamApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("bytestream: move files to and from any Google ByteStream gRPC server (Bazel remote caches and others), resuming after failures; store and fetch REAPI blobs by digest (put, get), zstd-compressed if asked; serve a directory over ByteStream; or watch it work with 'demo'.")
        {
            DemoCommand.Create(),
            ServeCommand.Create(),
            UploadCommand.Create(),
            DownloadCommand.Create(),
            PutCommand.Create(),
            GetCommand.Create(),
            CatCommand.Create(),
            StatusCommand.Create(),
        };
        root.Options.Add(GlobalOptions.Json);
        root.Options.Add(GlobalOptions.Verbose);

        // Without a command, say what there is (as --help does) rather than fail.
        var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parse.Errors.Count > 0)
        {
            var output = new Output(parse.GetValue(GlobalOptions.Json), verbose: false);
            var command = parse.CommandResult.Command;
            var help = command == root ? "bytestream --help" : $"bytestream {command.Name} --help";
            return output.Error(ExitCodes.BadArguments, $"{parse.Errors[0].Message} (see '{help}')");
        }

        using var cancellation = new ConsoleCancellation();
        return await parse.InvokeAsync(
            new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null },
            cancellation.Token);
    }
}
