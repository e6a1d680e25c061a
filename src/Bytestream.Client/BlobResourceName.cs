using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Bytestream.Client.Internal;

namespace Bytestream.Client;

/// <summary>
/// A blob's ByteStream resource name in the Remote Execution API v2 (REAPI) form: the instance, the
/// digest (hash and size), and, when present, the digest function and the compressor. Parses read and
/// upload names and builds canonical ones.
/// </summary>
/// <remarks>
/// <para>The shapes (from <c>build/bazel/remote/execution/v2/remote_execution.proto</c>):</para>
/// <list type="bullet">
/// <item><description>read: <c>{instance_name}/blobs/{digest_function/}{hash}/{size}</c></description></item>
/// <item><description>compressed read: <c>{instance_name}/compressed-blobs/{compressor}/{digest_function/}{hash}/{size}</c></description></item>
/// <item><description>upload: <c>{instance_name}/uploads/{uuid}/blobs/{digest_function/}{hash}/{size}{/optional_metadata}</c>,
/// and the same with <c>compressed-blobs/{compressor}/</c> in place of <c>blobs/</c></description></item>
/// </list>
/// <para>
/// An empty instance name has no leading slash (<c>blobs/{hash}/{size}</c>); a longer one may span
/// several segments, none of which may be <c>blobs</c>, <c>uploads</c>, <c>compressed-blobs</c>,
/// <c>actions</c>, <c>actionResults</c>, <c>operations</c>, <c>capabilities</c>, <c>.</c> or <c>..</c>. The hash is
/// lowercase hexadecimal. The digest function is taken in any case (<c>SHA256TREE</c>, REAPI's enum spelling, as
/// well as <c>sha256tree</c>) and written in lowercase, as REAPI asks. For a compressed blob, hash and size are those
/// of the uncompressed data.
/// </para>
/// <para>
/// Every instance holds a valid name: the constructor and the <see langword="init"/> accessors reject
/// values that could not be written as a resource name, so <see cref="ToReadResourceName"/> and
/// <see cref="ToUploadResourceName(Guid)"/> never fail, and
/// <c>Parse(name.ToReadResourceName()) == name</c> holds for every instance.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// var name = BlobResourceName.Parse("main/uploads/1b4e28ba-2fa1-41d2-883f-0016d3cca427/blobs/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/4");
/// // name.InstanceName == "main", name.Size == 4
/// string read = name.ToReadResourceName();
/// // "main/blobs/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08/4"
///
/// var zstd = new BlobResourceName("", "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262", 11)
/// {
///     DigestFunction = "blake3",
///     Compressor = "zstd",
/// };
/// string upload = zstd.ToUploadResourceName(Guid.NewGuid());
/// // "uploads/{uuid}/compressed-blobs/zstd/blake3/af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262/11"
/// </code>
/// </example>
/// <param name="InstanceName">The instance name: empty, or one or more non-empty segments separated by <c>/</c>, none of them a reserved word.</param>
/// <param name="Hash">The blob's hash (of the uncompressed data): lowercase hexadecimal, an even number of digits.</param>
/// <param name="Size">The blob's size in bytes (of the uncompressed data): zero or more.</param>
public sealed partial record BlobResourceName(string InstanceName, string Hash, long Size)
{
    private const string BlobsSegment = "blobs";
    private const string CompressedBlobsSegment = "compressed-blobs";
    private const string UploadsSegment = "uploads";

    private const string ExpectedShapes =
        "Expected '{instance_name}/blobs/{digest_function/}{hash}/{size}' or "
        + "'{instance_name}/compressed-blobs/{compressor}/{digest_function/}{hash}/{size}' to read, and "
        + "'{instance_name}/uploads/{uuid}/blobs/...' or '{instance_name}/uploads/{uuid}/compressed-blobs/...' to upload "
        + "(optionally followed by '/{metadata}'); an empty instance name has no leading '/', and the hash is lowercase hexadecimal.";

    private readonly string _instanceName = CheckInstanceName(InstanceName, nameof(InstanceName));
    private readonly string _hash = CheckHash(Hash, nameof(Hash));
    private readonly long _size = CheckSize(Size, nameof(Size));
    private readonly string? _digestFunction;
    private readonly string? _compressor;

    /// <summary>Gets the instance name: empty, or one or more segments separated by <c>/</c>.</summary>
    /// <exception cref="ArgumentNullException">Set to <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Set to a value with an empty segment (a leading, trailing or doubled <c>/</c>), a <c>.</c> or <c>..</c> segment, or a reserved segment such as <c>blobs</c>.</exception>
    public string InstanceName
    {
        get => _instanceName;
        init => _instanceName = CheckInstanceName(value, nameof(InstanceName));
    }

    /// <summary>Gets the hash of the blob (of its uncompressed data): lowercase hexadecimal.</summary>
    /// <exception cref="ArgumentNullException">Set to <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">Set to a value that is empty, has an odd length, or holds anything but <c>0-9</c> and <c>a-f</c>.</exception>
    public string Hash
    {
        get => _hash;
        init => _hash = CheckHash(value, nameof(Hash));
    }

    /// <summary>Gets the size of the blob in bytes (of its uncompressed data).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative value.</exception>
    public long Size
    {
        get => _size;
        init => _size = CheckSize(value, nameof(Size));
    }

    /// <summary>
    /// Gets the digest function segment, the lowercase <c>DigestFunction.Value</c> name such as <c>blake3</c>
    /// or <c>sha256tree</c>. REAPI omits it for the classic functions (SHA256, SHA1, MD5, SHA384, SHA512,
    /// MURMUR3, VSO), whose hash length tells them apart: leave it <see langword="null"/> for those.
    /// </summary>
    /// <value>Default <see langword="null"/> (no segment). Otherwise a name of ASCII letters and digits, a letter first,
    /// in any case (<c>BLAKE3</c>, the enum's own spelling, as well as <c>blake3</c>), kept in lowercase, which is how
    /// REAPI writes it in resource names; not hexadecimal, so that it cannot be mistaken for a hash, and not <c>unknown</c>.</value>
    /// <exception cref="ArgumentException">Set to a value that is not such a name.</exception>
    public string? DigestFunction
    {
        get => _digestFunction;
        init => _digestFunction = value is null || IsDigestFunction(value)
            ? value?.ToLowerInvariant()
            : throw new ArgumentException($"'{value}' is not a digest function name: expected a DigestFunction name such as 'blake3' or 'sha256tree' (any case).", nameof(DigestFunction));
    }

    /// <summary>
    /// Gets the compressor of a <c>compressed-blobs</c> name, a lowercase <c>Compressor.Value</c> name such as
    /// <c>zstd</c>, <c>deflate</c> or <c>brotli</c>; <see langword="null"/> for an uncompressed <c>blobs</c> name.
    /// </summary>
    /// <value>Default <see langword="null"/> (uncompressed). Otherwise a lowercase name (<c>a-z</c> first, then
    /// <c>a-z</c> or <c>0-9</c>) other than <c>identity</c>, which REAPI forbids in resource names.</value>
    /// <exception cref="ArgumentException">Set to a value that is not such a name.</exception>
    public string? Compressor
    {
        get => _compressor;
        init => _compressor = value is null || IsCompressor(value)
            ? value
            : throw new ArgumentException($"'{value}' is not a compressor name: expected a lowercase Compressor name other than 'identity', such as 'zstd'.", nameof(Compressor));
    }

    /// <summary>
    /// Builds the name to read this blob with: <c>{instance_name}/blobs/{digest_function/}{hash}/{size}</c>,
    /// or <c>{instance_name}/compressed-blobs/{compressor}/{digest_function/}{hash}/{size}</c> when
    /// <see cref="Compressor"/> is set. An empty instance name has no leading <c>/</c>.
    /// </summary>
    /// <returns>The canonical read resource name.</returns>
    /// <example><c>new BlobResourceName("ci/linux", "00ff", 2).ToReadResourceName()</c> is <c>"ci/linux/blobs/00ff/2"</c>.</example>
    public string ToReadResourceName() => Format(uploadId: null);

    /// <summary>
    /// Builds the name to upload this blob with: <c>{instance_name}/uploads/{uuid}/blobs/{digest_function/}{hash}/{size}</c>,
    /// or <c>.../uploads/{uuid}/compressed-blobs/{compressor}/...</c> when <see cref="Compressor"/> is set.
    /// Use the same <paramref name="uploadId"/> for every attempt of one upload, so that the server can resume it.
    /// </summary>
    /// <param name="uploadId">The upload's id, written in lowercase <c>D</c> format; REAPI asks for a random (version 4) UUID such as <see cref="Guid.NewGuid"/>.</param>
    /// <returns>The canonical upload resource name, without metadata.</returns>
    /// <example><c>new BlobResourceName("", "00ff", 2).ToUploadResourceName(id)</c> is <c>"uploads/{id}/blobs/00ff/2"</c>.</example>
    public string ToUploadResourceName(Guid uploadId) => Format(uploadId);

    /// <summary>
    /// Parses a REAPI read or upload resource name. An upload name's UUID and any metadata after the size
    /// are dropped: <see cref="ToUploadResourceName(Guid)"/> with the same id gives the name back without them.
    /// </summary>
    /// <param name="resourceName">The resource name, for example <c>main/blobs/00ff/2</c> or <c>uploads/{uuid}/compressed-blobs/zstd/blake3/00ff/2/meta</c>.</param>
    /// <returns>The parsed name.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="resourceName"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException"><paramref name="resourceName"/> is not a REAPI blob read or upload name; the message says which part is wrong.</exception>
    public static BlobResourceName Parse(string resourceName)
    {
        ArgumentNullException.ThrowIfNull(resourceName);
        var error = TryParseCore(resourceName, out var name);
        return name ?? throw ThrowHelper.InvalidBlobResourceName(resourceName, error!, ExpectedShapes);
    }

    /// <summary>Parses a REAPI read or upload resource name like <see cref="Parse(string)"/>, without throwing.</summary>
    /// <param name="resourceName">The resource name; may be <see langword="null"/>.</param>
    /// <param name="name">The parsed name, or <see langword="null"/> when <paramref name="resourceName"/> is not a REAPI blob name.</param>
    /// <returns><see langword="true"/> when <paramref name="resourceName"/> was parsed.</returns>
    public static bool TryParse(string resourceName, [NotNullWhen(true)] out BlobResourceName? name)
    {
        // Callers without nullable checks may still pass null: that is just not a name.
        if (resourceName is null)
        {
            name = null;
            return false;
        }

        TryParseCore(resourceName, out name);
        return name is not null;
    }

    /// <summary>
    /// The number of bytes a transfer of <paramref name="resourceName"/> moves, when the name says so: the size
    /// of an uncompressed REAPI read or upload name (<c>.../blobs/{hash}/{size}</c>). <see langword="null"/>
    /// for any other name, and for <c>compressed-blobs</c> names, whose size is that of the uncompressed data
    /// while the bytes on the wire are compressed.
    /// </summary>
    internal static long? TryGetUncompressedSize(string? resourceName) =>
        resourceName is not null && TryParse(resourceName, out var name) && name.Compressor is null ? name.Size : null;

    private string Format(Guid? uploadId)
    {
        var builder = new System.Text.StringBuilder(_instanceName.Length + _hash.Length + 96);
        if (_instanceName.Length > 0)
        {
            builder.Append(_instanceName).Append('/');
        }

        if (uploadId is { } id)
        {
            builder.Append(UploadsSegment).Append('/').Append(id.ToString("D")).Append('/');
        }

        if (_compressor is null)
        {
            builder.Append(BlobsSegment).Append('/');
        }
        else
        {
            builder.Append(CompressedBlobsSegment).Append('/').Append(_compressor).Append('/');
        }

        if (_digestFunction is not null)
        {
            builder.Append(_digestFunction).Append('/');
        }

        return builder.Append(_hash).Append('/').Append(_size.ToString(CultureInfo.InvariantCulture)).ToString();
    }

    /// <summary>Parses without throwing; returns why <paramref name="resourceName"/> is not a blob name, or <see langword="null"/> with <paramref name="name"/> set.</summary>
    private static string? TryParseCore(string resourceName, out BlobResourceName? name)
    {
        name = null;
        if (resourceName.Length == 0)
        {
            return "the name is empty";
        }

        var segments = resourceName.Split('/');

        // The instance name cannot hold these words, so the first one marks where it ends.
        var kind = Array.FindIndex(segments, static s => s is BlobsSegment or CompressedBlobsSegment or UploadsSegment);
        if (kind < 0)
        {
            return "it has no 'blobs', 'compressed-blobs' or 'uploads' segment";
        }

        for (var i = 0; i < kind; i++)
        {
            if (InstanceSegmentError(segments[i]) is { } instanceError)
            {
                return instanceError;
            }
        }

        var isUpload = segments[kind] == UploadsSegment;
        var pos = kind;
        if (isUpload)
        {
            if (pos + 1 >= segments.Length || segments[pos + 1].Length == 0 || IsReserved(segments[pos + 1]))
            {
                return "'uploads/' is not followed by an upload id";
            }

            pos += 2;
            if (pos >= segments.Length || segments[pos] is not (BlobsSegment or CompressedBlobsSegment))
            {
                return "'uploads/{uuid}/' is not followed by 'blobs/' or 'compressed-blobs/'";
            }
        }

        string? compressor = null;
        if (segments[pos++] == CompressedBlobsSegment)
        {
            if (pos >= segments.Length)
            {
                return "'compressed-blobs/' is not followed by a compressor";
            }

            if (!IsCompressor(segments[pos]))
            {
                return $"'{segments[pos]}' is not a compressor (a lowercase name such as 'zstd'; 'identity' is not allowed)";
            }

            compressor = segments[pos++];
        }

        // A digest function is never hexadecimal, so it cannot be confused with a hash; it counts only
        // when a hash and a size follow, so that a malformed name reports the hash or size that is wrong.
        string? digestFunction = null;
        if (pos + 2 < segments.Length
            && IsDigestFunction(segments[pos])
            && IsHash(segments[pos + 1])
            && IsSize(segments[pos + 2], out _))
        {
            digestFunction = segments[pos++];
        }

        if (pos >= segments.Length || segments[pos].Length == 0)
        {
            return "the hash is missing";
        }

        var hash = segments[pos++];
        if (!IsHash(hash))
        {
            return hash.All(char.IsAsciiHexDigit) && hash.Any(char.IsAsciiLetterUpper)
                ? $"the hash '{hash}' is not lowercase"
                : $"'{hash}' is neither a hash (lowercase hexadecimal, an even number of digits) nor a digest function followed by a hash and a size";
        }

        if (pos >= segments.Length || segments[pos].Length == 0)
        {
            return "the size is missing";
        }

        if (!IsSize(segments[pos], out var size))
        {
            return $"the size '{segments[pos]}' is not a non-negative decimal number (digits only, no sign or leading zeros, at most {long.MaxValue})";
        }

        // Upload names may carry implementation-specific metadata after the size; read names end there.
        if (!isUpload && pos + 1 < segments.Length)
        {
            return $"a read name ends with the size, but '{string.Join('/', segments, pos + 1, segments.Length - pos - 1)}' follows it";
        }

        name = new BlobResourceName(string.Join('/', segments, 0, kind), hash, size)
        {
            DigestFunction = digestFunction,
            Compressor = compressor,
        };
        return null;
    }

    private static string CheckInstanceName(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0)
        {
            return value;
        }

        foreach (var segment in value.Split('/'))
        {
            if (InstanceSegmentError(segment) is { } error)
            {
                throw new ArgumentException($"'{value}' is not a valid instance name: {error}.", paramName);
            }
        }

        return value;
    }

    private static string CheckHash(string value, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        return IsHash(value)
            ? value
            : throw new ArgumentException($"'{value}' is not a valid hash: expected lowercase hexadecimal digits (0-9, a-f), an even number of them.", paramName);
    }

    private static long CheckSize(long value, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value, paramName);
        return value;
    }

    private static string? InstanceSegmentError(string segment)
    {
        if (segment.Length == 0)
        {
            return "the instance name has an empty segment (a leading, trailing or doubled '/')";
        }

        if (segment is "." or "..")
        {
            return $"the instance name contains the segment '{segment}', which a path would resolve away";
        }

        return IsReserved(segment) ? $"the instance name contains the reserved segment '{segment}'" : null;
    }

    private static bool IsReserved(string segment) =>
        segment is BlobsSegment or UploadsSegment or CompressedBlobsSegment
            or "actions" or "actionResults" or "operations" or "capabilities";

    private static bool IsHash(string segment)
    {
        if (segment.Length == 0 || segment.Length % 2 != 0)
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSize(string segment, out long size)
    {
        size = 0;

        // Leading zeros would not survive a round trip to the canonical form.
        if (segment.Length == 0 || (segment.Length > 1 && segment[0] == '0'))
        {
            return false;
        }

        // Checked here because long.TryParse ignores trailing NUL characters even with NumberStyles.None.
        foreach (var c in segment)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return long.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out size);
    }

    /// <summary>A lowercase enum name as REAPI writes them: <c>a-z</c> first, then <c>a-z</c> or <c>0-9</c>.</summary>
    private static bool IsLowercaseName(string segment)
    {
        if (segment.Length == 0 || !char.IsAsciiLetterLower(segment[0]))
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A <c>DigestFunction.Value</c> name in any case: ASCII letters and digits, a letter first, not all hexadecimal, not <c>unknown</c>.</summary>
    private static bool IsDigestFunction(string segment)
    {
        if (segment.Length == 0 || !char.IsAsciiLetter(segment[0]) || !segment.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        return !segment.All(char.IsAsciiHexDigit) && !segment.Equals("unknown", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsCompressor(string segment) =>
        IsLowercaseName(segment) && segment != "identity";
}
