using Bytestream.Client.Internal;
using Grpc.Core;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// What a failed attempt says about the peer: one that does not speak HTTP/2 fails for good; one that never answered and
/// let a keepalive ping time out is silent (final); one that never answered and hung up before the HTTP/2 handshake is
/// reported as not HTTP/2 once the retries run out; the same failures after the peer answered are lost connections (retried).
/// The shapes are those .NET gave against such peers (NotGrpcServerTests, SilentPeerTests).
/// </summary>
[Category("Connections")]
public class PeerFailureTests
{
    private const string Handshake = "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.";

    [TestCase(false, 0xd, "HTTP_1_1_REQUIRED error", "HTTP_1_1_REQUIRED")]
    [TestCase(true, 0xd, "HTTP_1_1_REQUIRED error", "HTTP_1_1_REQUIRED")]
    [TestCase(false, 0x1, "The HTTP/2 server sent invalid data on the connection. HTTP/2 error code 'PROTOCOL_ERROR' (0x1).", "PROTOCOL_ERROR")]
    public void Diagnose_PeerThatDoesNotSpeakHttp2_IsNotHttp2(bool peerHasAnswered, long code, string message, string expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(PeerFailure.Diagnose(ProtocolFailure(code, message), peerHasAnswered, out var errorCode), Is.EqualTo(PeerFault.NotHttp2));
            Assert.That(errorCode, Is.EqualTo(expected));
        });
    }

    [TestCase("The HTTP/2 server didn't respond to a ping request within the configured KeepAlivePingDelay.")]
    [TestCase("net_ping_request_timed_out")]
    public void Diagnose_KeepAlivePingTimedOut_AfterAnAnswer_IsALostConnection(string message) =>
        Assert.That(PeerFailure.Diagnose(ProtocolFailure(0x1, message), peerHasAnswered: true, out _), Is.EqualTo(PeerFault.None));

    [TestCase("The HTTP/2 server didn't respond to a ping request within the configured KeepAlivePingDelay.")]
    [TestCase("net_ping_request_timed_out")]
    public void Diagnose_KeepAlivePingTimedOut_NeverAnswered_IsSilent(string message)
    {
        Assert.Multiple(() =>
        {
            Assert.That(PeerFailure.Diagnose(ProtocolFailure(0x1, message), peerHasAnswered: false, out var waitedFor), Is.EqualTo(PeerFault.Silent));
            Assert.That(waitedFor, Does.Contain("keepalive ping"));
        });
    }

    [Test]
    public void Diagnose_KeepAlivePingTimedOutWhileReading_NeverAnswered_IsSilent()
    {
        var failure = new RpcException(new Status(StatusCode.Internal, "Error reading next message.", new HttpProtocolException(0x1, "The HTTP/2 server didn't respond to a ping request.", null)));

        Assert.That(PeerFailure.Diagnose(failure, peerHasAnswered: false, out _), Is.EqualTo(PeerFault.Silent));
    }

    [Test]
    public void Diagnose_HungUpBeforeTheHandshake_NeverAnswered_IsClosedBeforeHandshake([Values] bool sending)
    {
        Assert.That(PeerFailure.Diagnose(HandshakeFailure(sending), peerHasAnswered: false, out _), Is.EqualTo(PeerFault.ClosedBeforeHandshake));
    }

    [Test]
    public void Diagnose_HungUpBeforeTheHandshake_AfterAnAnswer_IsALostConnection([Values] bool sending)
    {
        Assert.That(PeerFailure.Diagnose(HandshakeFailure(sending), peerHasAnswered: true, out _), Is.EqualTo(PeerFault.None));
    }

    [TestCase(StatusCode.DeadlineExceeded)]
    [TestCase(StatusCode.Unavailable)]
    [TestCase(StatusCode.Internal)]
    public void Diagnose_StatusTheServerSent_IsNothingAboutThePeer_AndCountsAsAnAnswer(StatusCode code)
    {
        var failure = new RpcException(new Status(code, "did not complete the HTTP/2 handshake; ping request"));

        Assert.That(PeerFailure.Diagnose(failure, peerHasAnswered: false, out _), Is.EqualTo(PeerFault.None));
        Assert.That(PeerFailure.IsServerStatus(failure), Is.True);
    }

    [Test]
    public void IsFinal_NotHttp2AndNeverAnswered_AreFinal_AStallIsNot()
    {
        var silent = ThrowHelper.NeverAnswered("r", "127.0.0.1:1", "no answer to an HTTP/2 keepalive ping", new IOException("x"));
        var stall = new RpcException(new Status(StatusCode.DeadlineExceeded, "No bytes moved for 00:01:00", new OperationCanceledException()));

        Assert.Multiple(() =>
        {
            Assert.That(PeerFailure.IsFinal(ProtocolFailure(0xd, "HTTP_1_1_REQUIRED error")), Is.True);
            Assert.That(PeerFailure.IsFinal(silent), Is.True);
            Assert.That(silent.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(PeerFailure.IsFinal(stall), Is.False);
        });
    }

    private static RpcException ProtocolFailure(long code, string message)
    {
        var request = new HttpRequestException(HttpRequestError.HttpProtocolError, message, new HttpProtocolException(code, message, null));
        return new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call.", request));
    }

    // As .NET gave them: while sending the request (the peer hung up first), or while reading its answer.
    private static RpcException HandshakeFailure(bool sending) => sending
        ? new RpcException(new Status(StatusCode.Unavailable, "Error starting gRPC call.",
            new HttpRequestException("An error occurred while sending the request.", new IOException(Handshake, new ObjectDisposedException("stream")))))
        : new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call.", new HttpRequestException(Handshake)));
}
