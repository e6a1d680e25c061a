namespace Bytestream.Testing.Internal;

/// <summary>
/// A REAPI blob name as the server reads it: <c>{instance}/[uploads/{uuid}/](blobs|compressed-blobs/{compressor})/[{digest_function}/]{hash}/{size}[/{metadata}]</c>.
/// The one place that knows the layout; the service and the store ask it what a name means.
/// </summary>
internal sealed record ReapiNames(string Instance, bool IsUpload, string? Compressor, string? DigestFunction, string Hash, long Size)
{
    /// <summary>Gets the read name of the plain (uncompressed) blob: <c>{instance}/blobs/[{digest_function}/]{hash}/{size}</c>.</summary>
    public string PlainReadName
    {
        get
        {
            var digest = $"blobs/{(DigestFunction is null ? string.Empty : DigestFunction + "/")}{Hash}/{Size}";
            return Instance.Length == 0 ? digest : Instance + "/" + digest;
        }
    }

    /// <summary>Parses a REAPI read or upload name; <see langword="false"/> for any other name.</summary>
    public static bool TryParse(string name, out ReapiNames parsed)
    {
        parsed = null!;
        var segments = name.Split('/');
        var uploads = Array.IndexOf(segments, "uploads");
        var isUpload = uploads >= 0 && uploads + 2 < segments.Length;
        var kind = isUpload ? uploads + 2 : Array.FindIndex(segments, static s => s is "blobs" or "compressed-blobs");
        if (kind < 0 || segments[kind] is not ("blobs" or "compressed-blobs"))
        {
            return false;
        }

        string? compressor = null;
        var first = kind + 1;
        if (segments[kind] == "compressed-blobs")
        {
            if (first >= segments.Length)
            {
                return false;
            }

            compressor = segments[first++];
        }

        // After the kind: [digest_function/]hash/size[/metadata...]; metadata only on upload names.
        string? function = null;
        int hash;
        if (IsDigest(segments, first))
        {
            hash = first;
        }
        else if (IsDigest(segments, first + 1))
        {
            function = segments[first];
            hash = first + 1;
        }
        else
        {
            return false;
        }

        if ((!isUpload && hash + 2 != segments.Length) || !long.TryParse(segments[hash + 1], out var size))
        {
            return false;
        }

        var instanceEnd = isUpload ? uploads : kind;
        parsed = new ReapiNames(string.Join('/', segments, 0, instanceEnd), isUpload, compressor, function, segments[hash], size);
        return true;
    }

    /// <summary>Maps an upload name to the plain read name of the blob it uploads: the server stores blobs uncompressed.</summary>
    public static bool TryGetBlobName(string uploadName, out string blobName)
    {
        var found = TryParse(uploadName, out var parsed) && parsed.IsUpload;
        blobName = found ? parsed.PlainReadName : string.Empty;
        return found;
    }

    private static bool IsDigest(string[] segments, int hash) =>
        hash >= 0 && hash + 1 < segments.Length && IsHex(segments[hash]) && IsDecimal(segments[hash + 1]);

    private static bool IsHex(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);

    private static bool IsDecimal(string text) => text.Length > 0 && !text.AsSpan().ContainsAnyExceptInRange('0', '9');
}
