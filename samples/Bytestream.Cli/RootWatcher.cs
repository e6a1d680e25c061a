using System.Collections.Concurrent;
using Bytestream.Testing;

namespace Bytestream.Cli;

/// <summary>
/// Makes <c>serve --root</c> serve files that appear under DIR after it started. The test server indexes its storage
/// directory once, when it starts; until it finds files on a lookup itself, this watches DIR and hands each new or
/// resized regular file to it (<see cref="ByteStreamTestServer.SetResource"/>), once the file has had no writes for
/// <see cref="Settle"/>. That reads the file whole and stores it again under the same name (the same bytes), so it
/// suits the files people drop in to try a client, not very large ones. Files the server wrote itself (finished
/// uploads), links, and the server's own <c>.bytestream</c> folder are left alone.
/// </summary>
internal sealed class RootWatcher : IDisposable
{
    /// <summary>How long a file must go without writes before it is served: a copy still in progress is not taken.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(300);

    private const string ServerFolder = ".bytestream";

    private readonly ByteStreamTestServer _server;
    private readonly string _root;
    private readonly Output _output;
    private readonly FileSystemWatcher _watcher;
    private readonly ConcurrentDictionary<string, Timer> _pending = new(StringComparer.Ordinal);

    private RootWatcher(ByteStreamTestServer server, string root, Output output)
    {
        _server = server;
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _output = output;
        _watcher = new FileSystemWatcher(_root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
        };
        _watcher.Created += (_, e) => Schedule(e.FullPath);
        _watcher.Changed += (_, e) => Schedule(e.FullPath);
        _watcher.Renamed += (_, e) => Schedule(e.FullPath);
        _watcher.Error += (_, e) => _output.Note($"bytestream serve: files added to {_root} from now on may not be served: {e.GetException().Message}");
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>Starts watching <paramref name="root"/>; when the system refuses (its limit of watches reached), says so and serves what is there.</summary>
    public static RootWatcher? TryStart(ByteStreamTestServer server, string root, Output output)
    {
        try
        {
            return new RootWatcher(server, root, output);
        }
        catch (IOException exception)
        {
            output.Note($"bytestream serve: files added to {root} after the start will not be served: {exception.Message}");
            return null;
        }
    }

    public void Dispose()
    {
        _watcher.Dispose();
        foreach (var timer in _pending.Values)
        {
            timer.Dispose();
        }
    }

    /// <summary>(Re)starts the settle time of <paramref name="path"/>: each write pushes its indexing back.</summary>
    private void Schedule(string path)
    {
        var timer = _pending.GetOrAdd(path, key => new Timer(_ => Index(key)));
        timer.Change(Settle, Timeout.InfiniteTimeSpan);
    }

    private void Index(string path)
    {
        if (_pending.TryRemove(path, out var timer))
        {
            timer.Dispose();
        }

        var name = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
        if (name.StartsWith(ServerFolder + "/", StringComparison.Ordinal) || name.StartsWith("../", StringComparison.Ordinal) || HasLink(name))
        {
            return;
        }

        try
        {
            switch (FileTypes.Of(path))
            {
                case FileType.Directory:
                    // A folder moved in with its files: each of them is new.
                    foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
                    {
                        Schedule(file);
                    }

                    break;

                // Known at this length already (or an upload of it in progress): nothing to do. Its own stores land here too.
                case FileType.Regular when !_server.TryGetWriteStatus(name, out var committed, out var complete) || (complete && committed != new FileInfo(path).Length):
                    _server.SetResource(name, File.ReadAllBytes(path));
                    _output.Note($"bytestream serve: serving {name}, added after the start");
                    break;
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or ObjectDisposedException)
        {
            // Gone again, unreadable, or a name the server cannot hold: it is not served, as a file there at the start would not be.
            _output.Note($"bytestream serve: not serving {name}: {exception.Message}");
        }
    }

    /// <summary>Whether the path goes through a symbolic link: the server serves nothing reached through one (it may lead outside DIR).</summary>
    private bool HasLink(string name)
    {
        var current = _root;
        foreach (var segment in name.Split('/'))
        {
            current = Path.Join(current, segment);
            if (new FileInfo(current).LinkTarget is not null)
            {
                return true;
            }
        }

        return false;
    }
}
