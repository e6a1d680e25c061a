using System.Globalization;

namespace Bytestream.Cli;

/// <summary>
/// A download's file while it is written: a file of its own beside the target (<c>FILE.{random}.partial</c>),
/// moved over the target only by <see cref="CommitAsync"/>, deleted otherwise. So a download that fails, is
/// cut off, cancelled or refused for its digest leaves neither a truncated FILE nor the partial file behind,
/// and an earlier FILE stays as it was.
/// </summary>
internal sealed class PartialFile : IAsyncDisposable
{
    private readonly string _target;
    private bool _committed;

    public PartialFile(string target)
    {
        _target = target;

        // A name of its own: two downloads to one target, or a user's FILE.partial, are not overwritten.
        Path = string.Create(CultureInfo.InvariantCulture, $"{target}.{Guid.NewGuid().ToString("N")[..8]}.partial");
        Stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, useAsync: true);
    }

    public string Path { get; }

    public FileStream Stream { get; }

    /// <summary>Closes the file and moves it over the target: the download is complete and verified.</summary>
    public async Task CommitAsync()
    {
        await Stream.DisposeAsync();
        File.Move(Path, _target, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        if (!_committed)
        {
            File.Delete(Path);
        }
    }
}
