using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// What the failure of an attempt says about the peer, from how .NET reported it: the one place that tells a peer that
/// is not a gRPC server over HTTP/2, or that never answers at all, from a server that failed a call or restarted.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><see cref="PeerFault.NotHttp2"/>: an HTTP/1.1 server (Kestrel answers the HTTP/2 preface with
/// <c>HTTP_1_1_REQUIRED</c>, others with an HTTP/1.x response the client reads as a <c>PROTOCOL_ERROR</c>), TLS on an
/// <c>http://</c> address, or bytes that are no HTTP/2 frame. Retrying cannot help.</description></item>
/// <item><description><see cref="PeerFault.ClosedBeforeHandshake"/>: a peer that has never answered this client closed the
/// connection before .NET read an HTTP/2 handshake ("did not complete the HTTP/2 handshake"): what a peer that answers
/// with anything but HTTP/2 and hangs up at once gives, and also a TCP proxy without backends. Retried; if the retries
/// run out, it is reported as a peer that does not speak HTTP/2.</description></item>
/// <item><description><see cref="PeerFault.Silent"/>: the HTTP/2 keepalive ping timed out on the connection of an attempt
/// that made no progress, and the peer has never answered this client: it accepted TCP and said nothing, not even the
/// HTTP/2 handshake. Not retried. A ping that times out after the peer answered is a connection that went silent
/// (a NAT forgot it), retried like any lost connection (<see cref="PeerFault.None"/>).</description></item>
/// </list>
/// <para>"Answered" is a call that returned, made progress, or ended with a status the server sent: a status without a
/// <see cref="Status.DebugException"/>, which gRPC sets only for failures on the client's side. A peer that never answers
/// a channel without keepalive pings is seen only by <see cref="ByteStreamClientOptions.StallTimeout"/>, which also ends
/// calls to a live server that stalls: those stay retried.</para>
/// </remarks>
internal static class PeerFailure
{
    private const long ProtocolError = 0x1;
    private const long Http11Required = 0xd;

    /// <summary>Says what <paramref name="exception"/> means about the peer; <paramref name="detail"/> names the answer or what was waited for.</summary>
    /// <param name="exception">How the attempt failed.</param>
    /// <param name="peerHasAnswered">Whether the peer has answered this client before (see the remarks).</param>
    /// <param name="detail">For <see cref="PeerFault.NotHttp2"/> the HTTP/2 error code; for <see cref="PeerFault.Silent"/> what was waited for; else empty.</param>
    public static PeerFault Diagnose(RpcException exception, bool peerHasAnswered, out string detail)
    {
        detail = string.Empty;

        // An HttpRequestException comes only from sending the request, before any response headers.
        if (exception.StatusCode == StatusCode.Internal
            && exception.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError } request
            && request.InnerException is HttpProtocolException { ErrorCode: ProtocolError or Http11Required } protocol
            && !IsPingTimeout(protocol))
        {
            detail = protocol.ErrorCode == Http11Required ? "HTTP_1_1_REQUIRED" : "PROTOCOL_ERROR";
            return PeerFault.NotHttp2;
        }

        if (peerHasAnswered || IsServerStatus(exception))
        {
            return PeerFault.None;
        }

        if (Causes(exception).Any(IsPingTimeout))
        {
            detail = "no answer to an HTTP/2 keepalive ping (the handler's KeepAlivePingDelay of quiet, then its KeepAlivePingTimeout)";
            return PeerFault.Silent;
        }

        return Causes(exception).Any(IsHandshakeNotCompleted) ? PeerFault.ClosedBeforeHandshake : PeerFault.None;
    }

    /// <summary>Gets whether no pipeline may retry <paramref name="exception"/>: a peer that does not speak HTTP/2, or one that never answered.</summary>
    public static bool IsFinal(RpcException exception) =>
        exception.Status.DebugException is PeerSilentException || Diagnose(exception, peerHasAnswered: true, out _) == PeerFault.NotHttp2;

    /// <summary>Gets whether the server sent the status of <paramref name="exception"/>: then it answered.</summary>
    public static bool IsServerStatus(RpcException exception) => exception.Status.DebugException is null;

    private static IEnumerable<Exception> Causes(RpcException exception)
    {
        for (var cause = exception.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }

    // Trimmed apps carry the resource keys instead of the messages.
    private static bool IsPingTimeout(Exception exception) =>
        exception.Message.Contains("ping request", StringComparison.OrdinalIgnoreCase)
        || exception.Message.Contains("net_ping_request_timed_out", StringComparison.Ordinal);

    private static bool IsHandshakeNotCompleted(Exception exception) =>
        exception.Message.Contains("did not complete the HTTP/2 handshake", StringComparison.Ordinal)
        || exception.Message.Contains("net_http_http2_connection_not_established", StringComparison.Ordinal);
}
