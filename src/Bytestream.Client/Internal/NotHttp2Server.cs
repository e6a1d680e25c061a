using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// Recognises a peer that is not a gRPC server over HTTP/2, from how the call failed before it started:
/// an HTTP/1.1 server (Kestrel answers the HTTP/2 preface with <c>HTTP_1_1_REQUIRED</c>, others with an
/// HTTP/1.x response the client reads as a <c>PROTOCOL_ERROR</c>), or TLS on an <c>http://</c> address.
/// Retrying cannot help: the next connection gets the same answer.
/// </summary>
/// <remarks>
/// A keepalive ping that timed out on a connection that went silent ends its calls with the same PROTOCOL_ERROR; only
/// its message tells it apart ("didn't respond to a ping request", or the resource key <c>net_ping_request_timed_out</c> in
/// trimmed apps). That connection did speak HTTP/2, and a new one may work: it is retried like any lost connection.
/// </remarks>
internal static class NotHttp2Server
{
    private const long ProtocolError = 0x1;
    private const long Http11Required = 0xd;

    /// <summary>Gets whether <paramref name="exception"/> says the peer does not speak HTTP/2; <paramref name="errorCode"/> names its answer.</summary>
    public static bool Matches(RpcException exception, out string errorCode)
    {
        // An HttpRequestException comes only from sending the request, before any response headers.
        if (exception.StatusCode == StatusCode.Internal
            && exception.Status.DebugException is HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError } request
            && request.InnerException is HttpProtocolException { ErrorCode: ProtocolError or Http11Required } protocol
            && !protocol.Message.Contains("ping", StringComparison.OrdinalIgnoreCase))
        {
            errorCode = protocol.ErrorCode == Http11Required ? "HTTP_1_1_REQUIRED" : "PROTOCOL_ERROR";
            return true;
        }

        errorCode = string.Empty;
        return false;
    }
}
