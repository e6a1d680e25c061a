namespace Bytestream.Testing.Internal;

/// <summary>How an injected cut ends a call.</summary>
internal enum CutKind
{
    /// <summary>With the rule's gRPC status (CutWrite, CutRead).</summary>
    Status,

    /// <summary>With RST_STREAM, no gRPC status (ResetWrite, ResetRead).</summary>
    ResetStream,

    /// <summary>With GOAWAY on the call's connection and UNAVAILABLE on the call: a draining server whose grace ran out (GoAwayWrite, GoAwayRead).</summary>
    GoAway,
}
