using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>Creates the client's exceptions in one place, with messages that say what happened and what to do.</summary>
internal static class ThrowHelper
{
    public static ByteStreamException ProtocolViolation(string resourceName, string what, long? committedSize = null) =>
        new(resourceName, $"The ByteStream server broke the protocol for '{resourceName}': {what}", committedSize);

    public static ByteStreamException ReadTooLong(string resourceName, long offset, long received, long allowed, ReadBound bound) => bound switch
    {
        ReadBound.ReadLimit => ProtocolViolation(resourceName, $"the Read from offset {offset} returned at least {received} bytes, more than the read_limit of {allowed}. The data was discarded."),
        ReadBound.BlobSize => ProtocolViolation(resourceName, $"the Read from offset {offset} returned at least {received} bytes, more than the {allowed} its REAPI name gives (a server that ignored read_offset, or sent the blob twice). The data was discarded."),
        _ => new(resourceName, $"The Read of '{resourceName}' from offset {offset} returned more than the expected length: at least {received} bytes, but DownloadOptions.ExpectedLength is {allowed}. The resource is longer than the caller expected; the data was discarded."),
    };

    public static ByteStreamException ReadEndedEarly(string resourceName, long offset, long received, long expected) =>
        new(resourceName, $"The Read of '{resourceName}' from offset {offset} ended after {received} of the {expected} expected bytes: the resource is shorter than its name or the caller said. Nothing was silently truncated; check the resource.");

    public static InvalidOperationException TooLargeForArray(string resourceName, long length) =>
        new($"'{resourceName}' holds {length} bytes or more, too many for one byte array: use DownloadAsync or OpenRead instead.");

    public static ByteStreamException NotGrpcOverHttp2(string resourceName, string? target, string errorCode, Exception failure) =>
        new(resourceName, $"The server at {target ?? "the channel's address"} does not speak gRPC over HTTP/2 (it answered with {errorCode}): is it an HTTP/1.1 server, or a TLS port addressed with http://? Not retried.", committedSize: null, failure);

    public static ByteStreamException ClosedBeforeHandshake(string resourceName, string? target, Exception failure) =>
        new(resourceName, $"The server at {target ?? "the channel's address"} does not speak gRPC over HTTP/2: it closed every connection before an HTTP/2 handshake (is it a TLS port addressed with http://, another kind of server, or a TCP proxy with no backend?).", committedSize: null, failure);

    public static RpcException NeverAnswered(string resourceName, string? target, string waitedFor, Exception failure)
    {
        var message = $"The server at {target ?? "the channel's address"} accepted the connection but never answered (no HTTP/2 handshake, no response for '{resourceName}'): {waitedFor}. Not retried: is a gRPC server listening at that address?";
        return new RpcException(new Status(StatusCode.DeadlineExceeded, message, new PeerSilentException(message, failure)));
    }

    public static FormatException InvalidBlobResourceName(string resourceName, string reason, string expectedShapes) =>
        new($"'{resourceName}' is not a REAPI blob resource name: {reason}. {expectedShapes}");

    public static ByteStreamException CommittedBeyondSent(string resourceName, long committedSize, long sent) =>
        ProtocolViolation(resourceName, $"it reports committed_size {committedSize}, but only {sent} bytes were sent.", committedSize);

    public static ByteStreamException CommittedWentBackwards(string resourceName, long committedSize, long earlier) =>
        ProtocolViolation(resourceName, $"committed_size went backwards from {earlier} to {committedSize}.", committedSize);

    public static ByteStreamException WrongFinalSize(string resourceName, long committedSize, long written) =>
        ProtocolViolation(resourceName, $"it finished the upload with committed_size {committedSize}, but {written} bytes were written. The resource may be corrupt: upload it again.", committedSize);

    public static ByteStreamException WriteEndedWithoutProgress(string resourceName, long committedSize, int times, string how) =>
        new(resourceName, $"The server ended the Write of '{resourceName}' {how} {times} times in a row, with no progress (committed_size {committedSize}), more than MaxRetryAttempts allows. Nothing was finished; the committed bytes stay resumable.", committedSize);

    public static ByteStreamException CannotResume(string resourceName, long committedSize, long heldFrom) =>
        new(resourceName, $"The upload of '{resourceName}' cannot resume: the server has committed {committedSize} bytes, but the client only still holds the bytes from offset {heldFrom} (MaxReplayBufferSize). Nothing was finished; upload it again from a seekable source or with a larger replay buffer.", committedSize);

    public static ByteStreamException LengthMismatch(string resourceName, long expected, long actual, long committedSize) =>
        new(resourceName, actual > expected
            ? $"The upload of '{resourceName}' got more bytes than its expected length of {expected}. Nothing was finished."
            : $"The upload of '{resourceName}' ended after {actual} of its expected {expected} bytes. Nothing was finished; the committed bytes stay resumable.", committedSize);

    public static ByteStreamException SourceShorterThanCommitted(string resourceName, long committedSize, long available) =>
        new(resourceName, $"Cannot resume '{resourceName}': the server has committed {committedSize} bytes, but the source holds only {available}. Is it the same data?", committedSize);

    public static ByteStreamException WriteFailed(string resourceName, long committedSize, Exception failure) =>
        new(resourceName, $"A write to '{resourceName}' failed, so the upload was not finished (the server last reported {committedSize} bytes committed; ResumeExistingUpload continues from what it holds): {failure.Message}", committedSize, failure);

    public static ByteStreamException DigestMismatch(string resourceName, string function, BlobResourceName expected, string actualHash, long actualSize, bool upload) =>
        new(resourceName, upload
            ? $"The data uploaded to '{resourceName}' does not match its digest: its {function} is {actualHash}/{actualSize}, but the name says {expected.Hash}/{expected.Size}. finish_write was not sent, so the server did not take it."
            : $"The data read from '{resourceName}' does not match its digest: its {function} is {actualHash}/{actualSize}, but the name says {expected.Hash}/{expected.Size}. The server holds a corrupt blob (or sent other data); nothing was handed out as valid.");

    public static NotSupportedException UnknownDigestFunction(string resourceName, BlobResourceName name, string whatToSet) =>
        new(name.DigestFunction is { } function
            ? $"'{resourceName}' names the digest function '{function}', which REAPI does not define, so its data cannot be checked. {whatToSet}"
            : $"'{resourceName}' has a {name.Hash.Length}-digit hash and no digest function segment, which fits no digest function REAPI defines, so its data cannot be checked. {whatToSet}");

    public static NotSupportedException UnsupportedCompressor(string resourceName, string compressor) =>
        new($"'{resourceName}' names the compressor '{compressor}'; this client compresses and decompresses only 'zstd'. Use the uncompressed 'blobs/' name instead.");

    public static ByteStreamException BadCompressedData(string resourceName, string what, Exception? inner = null) =>
        new(resourceName, $"The zstd data read from '{resourceName}' is not valid: {what}. Nothing was handed out as valid.", committedSize: null, inner);
}
