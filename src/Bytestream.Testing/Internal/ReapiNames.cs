namespace Bytestream.Testing.Internal;

/// <summary>
/// Maps REAPI upload names (<c>{instance}/uploads/{uuid}/blobs/...</c>, <c>.../uploads/{uuid}/compressed-blobs/...</c>)
/// to the read name of the blob they upload.
/// </summary>
internal static class ReapiNames
{
    public static bool TryGetBlobName(string uploadName, out string blobName)
    {
        blobName = string.Empty;
        var segments = uploadName.Split('/');
        var uploads = Array.IndexOf(segments, "uploads");
        if (uploads < 0 || uploads + 3 >= segments.Length)
        {
            return false;
        }

        var kind = segments[uploads + 2];
        var compressed = kind == "compressed-blobs";
        if (!compressed && kind != "blobs")
        {
            return false;
        }

        // After the kind: [compressor/][digest_function/]hash/size[/metadata...]
        var first = uploads + 3 + (compressed ? 1 : 0);
        int hash;
        if (IsDigest(segments, first))
        {
            hash = first;
        }
        else if (IsDigest(segments, first + 1))
        {
            hash = first + 1;
        }
        else
        {
            return false;
        }

        var instance = string.Join('/', segments, 0, uploads);
        var digestPart = string.Join('/', segments, uploads + 2, hash + 2 - (uploads + 2));
        blobName = instance.Length == 0 ? digestPart : instance + "/" + digestPart;
        return true;
    }

    private static bool IsDigest(string[] segments, int hash) =>
        hash + 1 < segments.Length && IsHex(segments[hash]) && IsDecimal(segments[hash + 1]);

    private static bool IsHex(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);

    private static bool IsDecimal(string text) => text.Length > 0 && !text.AsSpan().ContainsAnyExceptInRange('0', '9');
}
