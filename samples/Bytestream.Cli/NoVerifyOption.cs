using System.CommandLine;

namespace Bytestream.Cli;

/// <summary>--no-verify of the reading commands (get, download, cat): the tool's word for DownloadOptions.VerifyDigest = false.</summary>
internal static class NoVerifyOption
{
    public static Option<bool> Create() => new("--no-verify")
    {
        Description = "Do not check a whole REAPI blob's bytes against the digest in its name (keep what the server sends, even a corrupt blob).",
    };
}
