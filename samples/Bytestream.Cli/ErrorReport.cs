using System.Text.RegularExpressions;
using Bytestream.Client;
using Grpc.Core;

namespace Bytestream.Cli;

/// <summary>The one place that turns an exception into an exit code and a one-line message.</summary>
internal static partial class ErrorReport
{
    public static (int ExitCode, string Message) Describe(Exception exception) => exception switch
    {
        OperationCanceledException => (ExitCodes.Cancelled, "cancelled"),
        RpcException rpc => Describe(rpc),
        ByteStreamException when IsDigestMismatch(exception) => (ExitCodes.DataMismatch, exception.Message),
        ByteStreamException => (ExitCodes.Failure, exception.Message),
        NotSupportedException => (ExitCodes.BadArguments, exception.Message),
        UsageException or ArgumentException => (ExitCodes.BadArguments, exception.Message),
        FileNotFoundException notFound => (ExitCodes.NotFound, $"file not found: {notFound.FileName ?? notFound.Message}"),
        DirectoryNotFoundException => (ExitCodes.NotFound, exception.Message),
        UnauthorizedAccessException => (ExitCodes.PermissionDenied, exception.Message),
        IOException => (ExitCodes.Failure, exception.Message),
        _ => (ExitCodes.Failure, $"unexpected {exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>A status code as gRPC names it (NOT_FOUND), which is what users search for.</summary>
    public static string CanonicalName(StatusCode code) => UpperCaseBoundary().Replace(code.ToString(), "$1_$2").ToUpperInvariant();

    /// <summary>
    /// Whether the library refused data for its digest. Its ByteStreamException has no property that says so, so
    /// this reads the one sentence its digest check (and only that) writes: "... does not match its digest: ...".
    /// </summary>
    private static bool IsDigestMismatch(Exception exception) =>
        exception.Message.Contains("does not match its digest", StringComparison.Ordinal);

    private static (int ExitCode, string Message) Describe(RpcException exception)
    {
        var code = exception.StatusCode;
        var detail = string.IsNullOrWhiteSpace(exception.Status.Detail) ? "no detail" : exception.Status.Detail;

        // "Error connecting to subchannel." alone does not say why; the innermost cause does ("Connection refused").
        var cause = exception.Status.DebugException;
        while (cause?.InnerException is not null)
        {
            cause = cause.InnerException;
        }

        if (cause is not null && !detail.Contains(cause.Message, StringComparison.Ordinal))
        {
            detail = $"{detail} ({cause.Message})";
        }

        var status = CanonicalName(code);
        return code switch
        {
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => (ExitCodes.Unreachable, $"server unreachable ({status}): {detail}"),
            StatusCode.NotFound => (ExitCodes.NotFound, $"not found ({status}): {detail}"),
            StatusCode.PermissionDenied or StatusCode.Unauthenticated => (ExitCodes.PermissionDenied, $"permission denied ({status}): {detail}"),
            StatusCode.InvalidArgument or StatusCode.OutOfRange => (ExitCodes.BadArguments, $"the server refused the request ({status}): {detail}"),
            _ => (ExitCodes.Failure, $"the server answered {status}: {detail}"),
        };
    }

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperCaseBoundary();
}
