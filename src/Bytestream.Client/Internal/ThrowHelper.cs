namespace Bytestream.Client.Internal;

/// <summary>Creates the client's exceptions in one place, with messages that say what happened and what to do.</summary>
internal static class ThrowHelper
{
    public static ByteStreamException ProtocolViolation(string resourceName, string what, long? committedSize = null) =>
        new(resourceName, $"The ByteStream server broke the protocol for '{resourceName}': {what}", committedSize);

    public static ByteStreamException ReadTooLong(string resourceName, long offset, long received, long allowed, bool expectedKnown) =>
        ProtocolViolation(resourceName, expectedKnown
            ? $"the Read from offset {offset} returned at least {received} bytes, more than the {allowed} expected (a server that ignored read_offset or read_limit). The data was discarded."
            : $"the Read from offset {offset} returned at least {received} bytes, more than the read_limit of {allowed}. The data was discarded.");

    public static ByteStreamException ReadEndedEarly(string resourceName, long offset, long received, long expected) =>
        new(resourceName, $"The Read of '{resourceName}' from offset {offset} ended after {received} of the {expected} expected bytes: the resource is shorter than its name or the caller said. Nothing was silently truncated; check the resource.");

    public static InvalidOperationException TooLargeForArray(string resourceName, long length) =>
        new($"'{resourceName}' holds {length} bytes or more, too many for one byte array: use DownloadAsync or OpenRead instead.");

    public static FormatException InvalidBlobResourceName(string resourceName, string reason, string expectedShapes) =>
        new($"'{resourceName}' is not a REAPI blob resource name: {reason}. {expectedShapes}");
}
