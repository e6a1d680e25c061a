namespace Bytestream.Client.Internal;

/// <summary>What a failed attempt says about the peer (see <see cref="PeerFailure"/>).</summary>
internal enum PeerFault
{
    /// <summary>Nothing about the peer: a failed call, a lost connection, a server restarting.</summary>
    None,

    /// <summary>The peer answered with something that is not HTTP/2.</summary>
    NotHttp2,

    /// <summary>A peer that never answered this client closed the connection before an HTTP/2 handshake.</summary>
    ClosedBeforeHandshake,

    /// <summary>A peer that never answered this client let a keepalive ping time out: it accepted TCP and says nothing.</summary>
    Silent,
}
