namespace Bytestream.Testing.Internal;

/// <summary>Thrown inside a call to make its handler reset the HTTP/2 stream (RST_STREAM) instead of ending it with a gRPC status.</summary>
internal sealed class StreamResetException(string message) : Exception(message);
