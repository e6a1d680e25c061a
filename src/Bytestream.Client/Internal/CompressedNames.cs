namespace Bytestream.Client.Internal;

/// <summary>
/// Which REAPI names go compressed, decided in one place: a <c>compressed-blobs/</c> name always does; a
/// plain <c>blobs/</c> name does when the options ask for it (and, for <see cref="BlobCompression.Auto"/>, the
/// blob is large enough), under the matching <c>compressed-blobs/zstd/</c> name; no other name ever does.
/// </summary>
internal static class CompressedNames
{
    public const string Zstd = "zstd";

    private const string BlobsSegment = "/blobs/";

    /// <summary>The compressor of a <c>compressed-blobs/</c> name; <see langword="null"/> for any other name.</summary>
    public static string? Compressor(string resourceName) =>
        BlobResourceName.TryParse(resourceName, out var blob) ? blob.Compressor : null;

    /// <summary>
    /// The <c>compressed-blobs/zstd/</c> name to transfer <paramref name="resourceName"/> under, or <see langword="null"/>
    /// to transfer it as it is: not a plain REAPI name, compression off, the blob below the threshold for
    /// <see cref="BlobCompression.Auto"/>, or a server known to lack compressed blobs.
    /// </summary>
    public static string? Choose(string resourceName, BlobCompression compression, long threshold, bool serverLacksCompression)
    {
        if (compression == BlobCompression.None
            || serverLacksCompression
            || !BlobResourceName.TryParse(resourceName, out var blob)
            || blob.Compressor is not null
            || (compression == BlobCompression.Auto && blob.Size < threshold))
        {
            return null;
        }

        // The first "blobs" segment ends the instance name (which cannot hold it): put the compressor there,
        // keeping the upload id and any metadata as they are.
        var prefixed = "/" + resourceName;
        var at = prefixed.IndexOf(BlobsSegment, StringComparison.Ordinal);
        return string.Concat(prefixed.AsSpan(1, at), "compressed-blobs/", Zstd, prefixed.AsSpan(at + BlobsSegment.Length - 1));
    }

    /// <summary>
    /// The upload name with a new upload id (a UUID, as REAPI asks) in place of the one after <c>uploads</c>, for a
    /// compressed upload that starts again where the server keeps a partial one; <see langword="null"/> for a name
    /// that has no upload id.
    /// </summary>
    public static string? WithNewUploadId(string resourceName)
    {
        var segments = resourceName.Split('/');
        var uploads = Array.IndexOf(segments, "uploads");
        if (uploads < 0 || uploads + 1 >= segments.Length)
        {
            return null;
        }

        segments[uploads + 1] = Guid.NewGuid().ToString();
        return string.Join('/', segments);
    }
}
