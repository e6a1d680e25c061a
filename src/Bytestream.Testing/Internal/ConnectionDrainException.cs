namespace Bytestream.Testing.Internal;

/// <summary>Thrown by an injected GOAWAY cut: the service sends GOAWAY on the call's connection and ends the call with UNAVAILABLE.</summary>
internal sealed class ConnectionDrainException(string message) : Exception(message);
