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
        WrittenDataMismatchException => (ExitCodes.DataMismatch, exception.Message),
        ByteStreamException => (ExitCodes.Failure, exception.Message),
        NotSupportedException => (ExitCodes.BadArguments, InToolWords(exception.Message)),
        ArgumentException argument => (ExitCodes.BadArguments, InToolWords(WithoutParameterName(argument))),
        UsageException => (ExitCodes.BadArguments, exception.Message),
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
    public static bool IsDigestMismatch(Exception exception) =>
        exception.Message.Contains("does not match its digest", StringComparison.Ordinal);

    /// <summary>
    /// The error of a digest mismatch found after the bytes went to <paramref name="where"/> (stdout, a device, a FIFO),
    /// where they cannot be taken back: it says they were written and do not match, not the library's "nothing was
    /// handed out as valid" (true only of a partial file that is then deleted).
    /// </summary>
    public static WrittenDataMismatchException WrittenBeforeMismatch(ByteStreamException exception, string where)
    {
        var detail = exception.Message.Replace("; nothing was handed out as valid.", ".", StringComparison.Ordinal);
        return new WrittenDataMismatchException($"the bytes already written to {where} do not match the blob's digest (discard them): {detail}", exception);
    }

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

    /// <summary>
    /// The library's advice in the tool's words: it names its options (DownloadOptions.VerifyDigest), the tool its flags.
    /// </summary>
    private static string InToolWords(string message) =>
        message.Replace("Set DownloadOptions.VerifyDigest = false to read it unchecked.", "Run it with --no-verify to read it unchecked.", StringComparison.Ordinal);

    /// <summary>An argument error's message without .NET's " (Parameter 'limit')": the parameter is the library's, not a flag of the tool.</summary>
    private static string WithoutParameterName(ArgumentException exception) => exception.ParamName is null
        ? exception.Message
        : exception.Message.Replace($" (Parameter '{exception.ParamName}')", string.Empty, StringComparison.Ordinal);

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex UpperCaseBoundary();
}
