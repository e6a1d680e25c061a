using System.CommandLine.Parsing;

namespace Bytestream.Cli;

/// <summary>How a custom option parser reports a bad value: the error goes on the result, the value is a placeholder.</summary>
internal static class ParseErrors
{
    public static T? Invalid<T>(ArgumentResult result, string message)
    {
        result.AddError(message);
        return default;
    }
}
