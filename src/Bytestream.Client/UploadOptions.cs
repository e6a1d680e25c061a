using Grpc.Core;

namespace Bytestream.Client;

/// <summary>Per-call settings of an upload (<see cref="ByteStreamClient.UploadAsync(string, Stream, UploadOptions?, CancellationToken)"/>
/// and <see cref="ByteStreamClient.OpenWrite(string, UploadOptions?)"/>).</summary>
public sealed class UploadOptions
{
    /// <summary>
    /// Gets a value saying whether to continue an upload that an earlier process left unfinished:
    /// the caller passes the whole data again, the client asks <c>QueryWriteStatus</c> first and
    /// skips the prefix the server already committed.
    /// </summary>
    /// <value>Default <see langword="false"/>: the upload starts at offset 0 without asking.</value>
    public bool ResumeExistingUpload { get; init; }

    /// <summary>
    /// Gets the total size of the resource in bytes. The client uses it to recognise a server that
    /// ends the upload early because the blob already exists, and to check the final committed size.
    /// </summary>
    /// <value>Default <see langword="null"/>: inferred from REAPI upload names
    /// (<c>.../uploads/{uuid}/blobs/{hash}/{size}</c>), from a seekable source's length, or unknown.</value>
    public long? ExpectedLength { get; init; }

    /// <summary>Gets the receiver of progress reports (bytes the server has accepted so far).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public IProgress<TransferProgress>? Progress { get; init; }

    /// <summary>Gets the headers sent with every call of the upload (every Write attempt and every <c>QueryWriteStatus</c>).</summary>
    /// <value>Default <see langword="null"/>.</value>
    public Metadata? Headers { get; init; }

    /// <summary>
    /// Gets whether this upload of a REAPI <c>blobs/</c> name goes compressed; <see langword="null"/> takes
    /// <see cref="ByteStreamClientOptions.Compression"/>.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public BlobCompression? Compression { get; init; }

    /// <summary>
    /// Gets whether the client checks that the data matches the digest in the REAPI name, hashing it as it is
    /// sent: on a mismatch <c>finish_write</c> is not sent and the upload throws <see cref="ByteStreamException"/>.
    /// It costs one hash of the data (SHA-256: about 1.5 GB/s per core with SHA-NI) and cannot be combined with
    /// <see cref="ResumeExistingUpload"/>, whose skipped prefix is not read.
    /// </summary>
    /// <value>Default <see langword="false"/>: the server checks (REAPI servers must).</value>
    public bool VerifyDigest { get; init; }
}
