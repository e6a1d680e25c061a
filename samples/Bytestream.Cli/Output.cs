using System.Text.Json.Nodes;

namespace Bytestream.Cli;

/// <summary>
/// Where a command's results and errors go: a human line or one JSON object (--json) on stdout for a result,
/// one line on stderr for an error (its stack trace only with --verbose).
/// </summary>
internal sealed class Output(bool json, bool verbose)
{
    public bool Json => json;

    public bool Verbose => verbose;

    /// <summary>Gets whether progress may be drawn with control codes: stdout is a terminal and not JSON.</summary>
    public bool Interactive => !json && !Console.IsOutputRedirected;

    /// <summary>Writes a command's result: <paramref name="text"/>, or <paramref name="result"/> as one line of JSON with --json.</summary>
    public void Result(JsonObject result, string text) => Console.Out.WriteLine(json ? result.ToJsonString() : text);

    /// <summary>Writes a line for people (not in JSON mode, where stdout holds only results).</summary>
    public void Line(string text)
    {
        if (!json)
        {
            Console.Out.WriteLine(text);
        }
    }

    /// <summary>Writes a line for people on stderr (not in JSON mode): the summary of a command whose stdout is its result alone.</summary>
    public void Note(string text)
    {
        if (!json)
        {
            Console.Error.WriteLine(text);
        }
    }

    /// <summary>Reports a failure on stderr and returns <paramref name="exitCode"/>.</summary>
    public int Error(int exitCode, string message, Exception? exception = null)
    {
        var line = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Console.Error.WriteLine(json
            ? new JsonObject { ["error"] = line, ["exitCode"] = exitCode }.ToJsonString()
            : $"bytestream: {line}");
        if (verbose && exception is not null)
        {
            Console.Error.WriteLine(exception);
        }

        return exitCode;
    }
}
