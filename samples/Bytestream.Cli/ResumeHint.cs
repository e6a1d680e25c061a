using System.Globalization;
using Bytestream.Client;
using Grpc.Core;

namespace Bytestream.Cli;

/// <summary>
/// What <c>upload</c> and <c>put</c> say when an upload stops short: whether it can be continued, how much the server
/// holds, and the command line that continues it.
/// </summary>
internal static class ResumeHint
{
    /// <summary>
    /// Whether what the server committed stays there to continue from: the upload was stopped (Ctrl+C, SIGTERM), cut
    /// off, or ended by the client; not when the file itself failed its digest (that needs a new put, not the rest).
    /// </summary>
    public static bool Applies(Exception exception) =>
        exception is OperationCanceledException or RpcException { StatusCode: StatusCode.Unavailable or StatusCode.DeadlineExceeded }
        || (exception is ByteStreamException && !ErrorReport.IsDigestMismatch(exception));

    /// <summary>"the server holds 1,048,576 of 4,194,304 bytes; ", or nothing when the server is gone or cannot tell.</summary>
    public static async Task<string> HeldAsync(ByteStreamClient client, string resource, long length)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            var committed = (await client.QueryWriteStatusAsync(resource, timeout.Token)).CommittedSize;
            return string.Create(CultureInfo.InvariantCulture, $"the server holds {committed:N0} of {length:N0} bytes; ");
        }
        catch (Exception exception) when (exception is RpcException or OperationCanceledException)
        {
            // The server is gone or cannot tell (NOT_FOUND before the first byte): the hint goes without the number.
            return string.Empty;
        }
    }

    /// <summary>The address as --address takes it.</summary>
    public static string Address(RemoteClient remote) => remote.Address.ToString().TrimEnd('/');

    /// <summary>An argument as a POSIX shell reads it back: quoted when it is empty or holds a space, a quote or a '$'.</summary>
    public static string Quote(string text) => text.Length == 0 || text.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$')
        ? $"'{text.Replace("'", "'\\''", StringComparison.Ordinal)}'"
        : text;
}
