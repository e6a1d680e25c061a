namespace Bytestream.Client.Internal;

/// <summary>
/// Turns a resource name and a transfer's options into its <see cref="TransferPlan"/>, once, before any call:
/// every check of the name and options that can fail before the server is asked is made here. Which names go
/// compressed is decided here too: a <c>compressed-blobs/zstd/</c> name always does; a plain <c>blobs/</c> name
/// does when the options ask for it (and, for <see cref="BlobCompression.Auto"/>, the blob is large enough), under
/// the matching <c>compressed-blobs/zstd/</c> name; no other name ever does.
/// </summary>
internal static class TransferPlanner
{
    public const string Zstd = "zstd";

    private const string CompressedBlobsSegment = "compressed-blobs";

    /// <summary>The plan of an upload.</summary>
    /// <param name="core">The client: its options and what it learned of the server.</param>
    /// <param name="resourceName">The caller's name, already checked by <see cref="Guard.ResourceName"/>.</param>
    /// <param name="options">The upload's options.</param>
    /// <param name="sourceLength">The length of the caller's data when it is known (memory, a seekable stream).</param>
    /// <param name="exactSourceName">For data that cannot change (memory), the caller's parameter: a name or option that says another length is an <see cref="ArgumentException"/> about it.</param>
    /// <param name="mayChooseCompression">Whether <see cref="UploadOptions.Compression"/> applies (not to write streams).</param>
    /// <exception cref="ArgumentException">The name or options contradict each other or the data.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or <see cref="UploadOptions.VerifyDigest"/> asks for a digest function the client cannot compute.</exception>
    public static TransferPlan ForUpload(ClientCore core, string resourceName, UploadOptions? options, long? sourceLength,
        string? exactSourceName = null, bool mayChooseCompression = true)
    {
        if (options?.ExpectedLength is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ExpectedLength, "UploadOptions.ExpectedLength must not be negative.");
        }

        var compression = CheckCompression(options?.Compression, core, nameof(options));
        var blob = ParseBlob(resourceName);
        var expected = options?.ExpectedLength ?? blob?.Size;
        if (exactSourceName is not null && expected is { } length && length != sourceLength)
        {
            throw new ArgumentException($"The data holds {sourceLength} bytes, but '{resourceName}' is expected to hold {length}.", exactSourceName);
        }

        DigestAlgorithm? digest = null;
        if (options is { VerifyDigest: true })
        {
            if (options.ResumeExistingUpload)
            {
                throw new ArgumentException("UploadOptions.VerifyDigest cannot be combined with ResumeExistingUpload: the prefix the server holds is skipped, not read, so it cannot be hashed.", nameof(options));
            }

            if (blob is null)
            {
                throw new ArgumentException($"UploadOptions.VerifyDigest needs a REAPI blob name with a digest, but '{resourceName}' is not one.", nameof(options));
            }

            digest = Resolve(resourceName, blob, "Set UploadOptions.VerifyDigest = false to upload it unchecked.");
            if (!digest.CanCompute)
            {
                throw new NotSupportedException($"UploadOptions.VerifyDigest cannot check '{resourceName}': no .NET package computes its digest function '{digest.Name}' (this client computes {DigestAlgorithm.Computable}).");
            }
        }

        var wireName = mayChooseCompression ? Choose(core, resourceName, blob, compression) : null;
        return new TransferPlan(resourceName, wireName ?? resourceName, blob, wireName is not null || blob?.Compressor is not null,
            expected ?? sourceLength, digest, SampleDecides: wireName is not null && compression == BlobCompression.Auto);
    }

    /// <summary>The plan of a read of <paramref name="limit"/> bytes (0: to the end) from <paramref name="offset"/>.</summary>
    /// <exception cref="ArgumentException">A compressed name with a limit, or an offset past the size a REAPI name states.</exception>
    /// <exception cref="NotSupportedException">The name's compressor is not zstd, or its digest function is not one REAPI defines while <paramref name="verify"/> is on.</exception>
    public static TransferPlan ForRead(ClientCore core, string resourceName, long offset, long limit, long? expectedLength, bool verify, BlobCompression? compression)
    {
        var chosen = CheckCompression(compression, core, nameof(compression));
        var blob = ParseBlob(resourceName);
        if (blob?.Compressor is not null && limit > 0)
        {
            throw new ArgumentException($"A read of the compressed name '{resourceName}' cannot have a limit: REAPI requires read_limit 0 for compressed reads. Read the 'blobs/' name for a range.", nameof(limit));
        }

        if (blob is not null && offset > blob.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"The offset is past the end of '{resourceName}', whose name says it holds {blob.Size} bytes.");
        }

        DigestAlgorithm? digest = null;
        if (verify && blob is not null)
        {
            var algorithm = Resolve(resourceName, blob, "Set DownloadOptions.VerifyDigest = false to read it unchecked.");
            var wholeBlob = offset == 0 && (limit == 0 || limit >= blob.Size);
            digest = wholeBlob && algorithm.CanCompute ? algorithm : null;
        }

        var length = expectedLength ?? (blob is null ? null : limit > 0 ? Math.Min(limit, blob.Size - offset) : blob.Size - offset);
        var wireName = limit > 0 ? null : Choose(core, resourceName, blob, chosen);
        return new TransferPlan(resourceName, wireName ?? resourceName, blob, wireName is not null || blob?.Compressor is not null, length, digest);
    }

    /// <summary>
    /// The REAPI blob a name names, or <see langword="null"/> for a plain name. A name with a <c>compressed-blobs</c>
    /// segment that does not parse is refused: sent as a plain name it would go uncompressed and unchecked.
    /// </summary>
    private static BlobResourceName? ParseBlob(string resourceName)
    {
        if (BlobResourceName.TryParse(resourceName, out var blob))
        {
            return blob.Compressor is { } compressor and not Zstd ? throw ThrowHelper.UnsupportedCompressor(resourceName, compressor) : blob;
        }

        if (Array.IndexOf(resourceName.Split('/'), CompressedBlobsSegment) >= 0)
        {
            try
            {
                BlobResourceName.Parse(resourceName);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException($"'{resourceName}' has a 'compressed-blobs' segment but is not a REAPI compressed blob name: {ex.Message}", nameof(resourceName), ex);
            }
        }

        return null;
    }

    private static DigestAlgorithm Resolve(string resourceName, BlobResourceName blob, string whatToSet) =>
        DigestAlgorithm.Of(blob) ?? throw ThrowHelper.UnknownDigestFunction(resourceName, blob, whatToSet);

    private static BlobCompression CheckCompression(BlobCompression? requested, ClientCore core, string optionsName)
    {
        var compression = requested ?? core.Options.Compression;
        return Enum.IsDefined(compression)
            ? compression
            : throw new ArgumentOutOfRangeException(optionsName, compression, $"Compression must be one of {string.Join(", ", Enum.GetNames<BlobCompression>())}.");
    }

    /// <summary>
    /// The <c>compressed-blobs/zstd/</c> name to transfer a plain <c>blobs/</c> name under, or <see langword="null"/>
    /// to transfer it as it is: not a plain REAPI name, compression off, the blob below the threshold for
    /// <see cref="BlobCompression.Auto"/>, or a server known to lack compressed blobs.
    /// </summary>
    private static string? Choose(ClientCore core, string resourceName, BlobResourceName? blob, BlobCompression compression)
    {
        if (compression == BlobCompression.None
            || core.CompressionUnsupported
            || blob is null
            || blob.Compressor is not null
            || (compression == BlobCompression.Auto && blob.Size < core.Options.CompressionThreshold))
        {
            return null;
        }

        // The first "blobs" segment ends the instance name (which cannot hold it): put the compressor there,
        // keeping the upload id and any metadata as they are.
        var prefixed = "/" + resourceName;
        var at = prefixed.IndexOf("/blobs/", StringComparison.Ordinal);
        return prefixed[1..(at + 1)] + CompressedBlobsSegment + "/" + Zstd + prefixed[(at + "/blobs".Length)..];
    }
}
