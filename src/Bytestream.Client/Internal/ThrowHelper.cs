namespace Bytestream.Client.Internal;

/// <summary>Creates the client's exceptions in one place, with messages that say what happened and what to do.</summary>
internal static class ThrowHelper
{
    public static ByteStreamException ProtocolViolation(string resourceName, string what, long? committedSize = null) =>
        new(resourceName, $"The ByteStream server broke the protocol for '{resourceName}': {what}", committedSize);

    public static FormatException InvalidBlobResourceName(string resourceName, string reason, string expectedShapes) =>
        new($"'{resourceName}' is not a REAPI blob resource name: {reason}. {expectedShapes}");
}
