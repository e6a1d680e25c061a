using Bytestream.Client.Internal;
using Grpc.Core;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// What the handler's protocol errors mean: a peer that does not speak HTTP/2 fails for good, a keepalive ping that
/// timed out on a silent connection is a lost connection like any other (retried).
/// </summary>
[Category("Connections")]
public class NotHttp2ServerTests
{
    [TestCase(0xd, "HTTP_1_1_REQUIRED error", "HTTP_1_1_REQUIRED")]
    [TestCase(0x1, "The HTTP/2 server sent invalid data on the connection. HTTP/2 error code 'PROTOCOL_ERROR' (0x1).", "PROTOCOL_ERROR")]
    public void Matches_PeerThatDoesNotSpeakHttp2_IsRecognised(long code, string message, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(NotHttp2Server.Matches(Failure(code, message), out var errorCode), Is.True);
            Assert.That(errorCode, Is.EqualTo(expected));
        });
    }

    [TestCase("The HTTP/2 server didn't respond to a ping request within the configured KeepAlivePingDelay.")]
    [TestCase("net_ping_request_timed_out")]
    public void Matches_KeepAlivePingTimedOut_IsALostConnection(string message) =>
        Assert.That(NotHttp2Server.Matches(Failure(0x1, message), out _), Is.False);

    private static RpcException Failure(long code, string message)
    {
        var request = new HttpRequestException(HttpRequestError.HttpProtocolError, message, new HttpProtocolException(code, message, null));
        return new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call.", request));
    }
}
