namespace Bytestream.Cli;

/// <summary>
/// Where a download into a path writes, and how: the one place that decides, from what is at the path now.
/// <list type="bullet">
/// <item>Nothing, or a regular file: a partial file beside it, moved over it only when every byte arrived and was verified
/// (<see cref="PartialFile"/>), so nothing incomplete or unverified ever appears under its name.</item>
/// <item>A symbolic link: followed to the file it finally names, which is then the one replaced (its partial file beside
/// it, not beside the link); the link stays a link.</item>
/// <item>A device (<c>/dev/null</c>), a FIFO or anything else that is not a regular file: written in place, in order, with
/// no partial file (a rename would replace the device or the pipe with a regular file).</item>
/// <item>A directory: refused before any call.</item>
/// </list>
/// </summary>
/// <param name="Path">The full path that is written (in place) or replaced: the target of a link, not the link.</param>
/// <param name="InPlace">Whether the download writes into <paramref name="Path"/> as it is, instead of into a partial file.</param>
internal sealed record DownloadDestination(string Path, bool InPlace)
{
    /// <exception cref="UsageException">The path (or the file its link names) is a directory.</exception>
    /// <exception cref="IOException">A link loop, or a link that cannot be read.</exception>
    public static DownloadDestination Resolve(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var target = new FileInfo(full).LinkTarget is null ? full : File.ResolveLinkTarget(full, returnFinalTarget: true)!.FullName;
        return FileTypes.Of(target) switch
        {
            FileType.Directory => throw new UsageException($"'{path}' is a directory; give a file to download into"),
            FileType.Special => new DownloadDestination(target, InPlace: true),
            _ => new DownloadDestination(target, InPlace: false),
        };
    }
}
