using System.Globalization;
using System.Text;

namespace Bytestream.Client;

/// <summary>The outcome of a finished upload.</summary>
/// <param name="CommittedSize">The server's final committed size; for a compressed upload, the blob's uncompressed size.</param>
/// <param name="BytesSent">The data bytes this call put into <c>WriteRequest</c>s, resends included (for a
/// compressed upload, compressed bytes: what went on the wire); without faults it equals the bytes uploaded,
/// and it is less when the server already had the blob, zero for a call that shared another's upload.</param>
/// <param name="Resumes">The number of Write calls started after a failure.</param>
public sealed record UploadResult(long CommittedSize, long BytesSent, int Resumes)
{
    /// <summary>Gets the size of the blob's compressed stream as this upload produced it; <see langword="null"/> when it was not compressed.</summary>
    /// <value><see cref="CommittedSize"/> divided by this is the compression ratio.</value>
    public long? CompressedSize { get; init; }

    /// <summary>Gets whether this call shared the upload of a concurrent call for the same blob (<see cref="ByteStreamClientOptions.ShareConcurrentUploads"/>) and sent nothing itself.</summary>
    public bool Shared { get; init; }

    /// <summary>Writes the members for <see cref="ToString"/>: <see cref="CompressedSize"/> only when the upload was compressed.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"CommittedSize = {CommittedSize}, BytesSent = {BytesSent}, Resumes = {Resumes}");
        if (CompressedSize is { } compressed)
        {
            builder.Append(CultureInfo.InvariantCulture, $", CompressedSize = {compressed}");
        }

        builder.Append(CultureInfo.InvariantCulture, $", Shared = {Shared}");
        return true;
    }
}
