using System.CommandLine;

namespace Bytestream.Cli;

/// <summary>Options every command takes, wherever they stand on the command line.</summary>
internal static class GlobalOptions
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print each command's result as one JSON object on stdout (and errors as JSON on stderr); no progress.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log the client's calls, retries and resumes to stderr, and print stack traces of errors.",
        Recursive = true,
    };
}
