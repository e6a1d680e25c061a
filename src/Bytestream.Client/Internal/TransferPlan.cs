namespace Bytestream.Client.Internal;

/// <summary>
/// What one transfer is, decided once before any call by <see cref="TransferPlanner"/>: the name the calls
/// use, the REAPI blob it names (parsed once), whether the wire carries zstd, how many of the caller's bytes
/// it moves, which digest checks them, and whether concurrent uploads may share it. Nothing downstream
/// parses a name again; the upload session, the judge, the reader and the layers ask the plan.
/// </summary>
/// <param name="ResourceName">The caller's name: what messages and telemetry name.</param>
/// <param name="WireName">The name the calls use: the caller's, or the <c>compressed-blobs/zstd/</c> name the client chose.</param>
/// <param name="Blob">The REAPI blob the caller's name names; <see langword="null"/> for a plain resource name.</param>
/// <param name="Compressed">Whether the wire carries zstd: the caller's bytes are encoded on the way out and decoded on the way in.</param>
/// <param name="Length">The caller's (uncompressed) bytes the transfer moves, when known before it starts.</param>
/// <param name="Digest">The digest function that checks the caller's bytes against <see cref="Blob"/>; <see langword="null"/> when unchecked.</param>
/// <param name="SampleDecides">
/// <see cref="BlobCompression.Auto"/> chose compression: a look at the first bytes (<see cref="Zstd.CompressionSample"/>)
/// may still send the blob as it is, when they do not compress.
/// </param>
internal sealed record TransferPlan(
    string ResourceName,
    string WireName,
    BlobResourceName? Blob,
    bool Compressed,
    long? Length,
    DigestAlgorithm? Digest,
    bool SampleDecides = false)
{
    /// <summary>Gets whether the client chose compression for a <c>blobs/</c> name: a server without zstd makes the transfer go plain.</summary>
    public bool CanFallBackToPlain => Compressed && WireName != ResourceName;

    /// <summary>
    /// Gets whether a resume starts again at 0: a compressed upload never resumes mid-stream (servers disagree on
    /// what its committed size counts; see <see cref="CommitJudge"/>), so the source must be able to send it all again.
    /// </summary>
    public bool RestartsOnly => Compressed;

    /// <summary>Gets the length of the bytes on the wire when it is known before they are sent: the caller's, unless compressed.</summary>
    public long? WireLength => Compressed ? null : Length;

    /// <summary>
    /// Gets what makes two uploads the same blob, so that concurrent ones share one transfer: the instance, digest
    /// function, hash and size of a REAPI name (any upload id, compressed or not, any metadata). <see langword="null"/>
    /// for a plain name, which says nothing about its content: two uploads of one plain name never share.
    /// </summary>
    public string? SharingKey => Blob is { } blob
        ? $"{blob.InstanceName}/{DigestAlgorithm.Of(blob)?.Name ?? blob.DigestFunction}/{blob.Hash}/{blob.Size}"
        : null;

    /// <summary>The checker of the caller's bytes, or <see langword="null"/> when the plan checks none.</summary>
    public DigestVerifier? CreateVerifier(bool upload) =>
        Digest is { } digest && Blob is { } blob ? new DigestVerifier(ResourceName, blob, digest, upload) : null;

    /// <summary>The same upload under a new upload id (a UUID, as REAPI asks), for a compressed upload that starts again where the server keeps a partial one.</summary>
    public TransferPlan WithNewUploadId()
    {
        var segments = WireName.Split('/');
        var uploads = Array.IndexOf(segments, "uploads");
        if (uploads < 0 || uploads + 1 >= segments.Length)
        {
            return this;
        }

        segments[uploads + 1] = Guid.NewGuid().ToString();
        return this with { WireName = string.Join('/', segments) };
    }

    /// <summary>The same transfer under the caller's own name, uncompressed: the server lacks the compressor the client chose.</summary>
    public TransferPlan Plain() => this with { WireName = ResourceName, Compressed = false, SampleDecides = false };

    /// <summary>The plan after <see cref="BlobCompression.Auto"/>'s look at the data's first bytes: plain unless they compress.</summary>
    public TransferPlan Sampled(ReadOnlySpan<byte> firstBytes, int level) =>
        !SampleDecides ? this
        : Zstd.CompressionSample.Compresses(firstBytes, level) ? this with { SampleDecides = false }
        : Plain();
}
