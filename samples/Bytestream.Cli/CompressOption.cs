using System.CommandLine;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// --compress of the transferring commands: zstd, none or auto, as <see cref="BlobCompression"/>. Absent, the
/// client's default applies (none). Only REAPI blob names can go compressed, so naming anything else is refused.
/// </summary>
internal static class CompressOption
{
    public static Option<BlobCompression?> Create(string description) => new("--compress")
    {
        Description = description,
        HelpName = "zstd|none|auto",
        CustomParser = result =>
        {
            switch (result.Tokens[^1].Value.ToLowerInvariant())
            {
                case "zstd":
                    return BlobCompression.Zstd;
                case "none":
                    return BlobCompression.None;
                case "auto":
                    return BlobCompression.Auto;
                default:
                    result.AddError($"--compress must be zstd, none or auto, not '{result.Tokens[^1].Value}'");
                    return null;
            }
        },
    };

    /// <summary>Refuses compression of a name the library would send as it is: it compresses REAPI blob names only.</summary>
    /// <exception cref="UsageException"><paramref name="compression"/> asks for zstd and <paramref name="resource"/> is not a REAPI blob name.</exception>
    public static void CheckApplies(BlobCompression? compression, string resource)
    {
        if (compression is BlobCompression.Zstd or BlobCompression.Auto && !BlobResourceName.TryParse(resource, out _))
        {
            throw new UsageException($"--compress applies to REAPI blob names ({{instance}}/blobs/{{hash}}/{{size}}, {{instance}}/uploads/{{uuid}}/blobs/...) only, and '{resource}' is not one");
        }
    }
}
