namespace Bytestream.Client;

/// <summary>The outcome of a finished upload.</summary>
/// <param name="CommittedSize">The server's final committed size (-1 where a server reports a compressed upload that way).</param>
/// <param name="BytesSent">The data bytes this call put into <c>WriteRequest</c>s, resends included;
/// without faults it equals the bytes uploaded, and it is less when the server already had the blob.</param>
/// <param name="Resumes">The number of Write calls started after a failure.</param>
public sealed record UploadResult(long CommittedSize, long BytesSent, int Resumes);
