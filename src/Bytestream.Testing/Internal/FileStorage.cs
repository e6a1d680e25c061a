using Grpc.Core;

namespace Bytestream.Testing.Internal;

/// <summary>
/// Resources and uploads as files under a directory, so they outlive the server: resource <c>a/b/c</c> is the
/// file <c>{root}/a/b/c</c>, and its unfinished upload is <c>{root}/.bytestream/uploads/a/b/c</c>, whose length
/// is the committed size. Only names that map to a path inside the root are accepted; the rest are
/// <c>INVALID_ARGUMENT</c>, and no path goes through a symbolic link, so nothing is read or written outside the root.
/// </summary>
internal sealed class FileStorage : ResourceStorage
{
    /// <summary>The first name segment the server keeps for itself (uploads in progress, temporary files).</summary>
    public const string ReservedSegment = ".bytestream";

    private static readonly char[] InvalidNameChars = [.. Path.GetInvalidFileNameChars().Append('\\').Where(c => c != '/').Distinct()];

    private readonly string _root;
    private readonly string _uploadsRoot;
    private readonly string _tempRoot;

    public FileStorage(string directory)
    {
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        _uploadsRoot = Path.Join(_root, ReservedSegment, "uploads");
        _tempRoot = Path.Join(_root, ReservedSegment, "tmp");
        Directory.CreateDirectory(_uploadsRoot);

        // Temporary files of a server that was killed are half-written copies nobody refers to.
        if (Directory.Exists(_tempRoot))
        {
            Directory.Delete(_tempRoot, recursive: true);
        }

        Directory.CreateDirectory(_tempRoot);
    }

    /// <summary>Runs a file operation, reporting a file system error as <c>FAILED_PRECONDITION</c> (a name whose path collides with another, a full disk, no permission).</summary>
    public static void Guard(string path, Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw CannotStore(path, exception);
        }
    }

    /// <summary>A file system error as <c>FAILED_PRECONDITION</c>, see <see cref="Guard"/>.</summary>
    public static RpcException CannotStore(string path, Exception exception) =>
        new(new Status(StatusCode.FailedPrecondition, $"The server cannot store '{path}': {exception.Message}"));

    public override string? GetInvalidNameReason(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name[0] == '/' || Path.IsPathRooted(name))
        {
            return "it is an absolute path";
        }

        if (name.IndexOfAny(InvalidNameChars) >= 0)
        {
            return "it contains a backslash, NUL or another character a file name cannot hold";
        }

        var segments = name.Split('/');
        foreach (var segment in segments)
        {
            if (segment.Length == 0)
            {
                return "it has an empty segment ('//' or a '/' at the end)";
            }

            if (segment is "." or "..")
            {
                return "it has a '.' or '..' segment";
            }
        }

        return segments[0] == ReservedSegment ? $"its first segment '{ReservedSegment}' is reserved by the server" : null;
    }

    public override void Load(IDictionary<string, StoredResource> resources, IDictionary<string, Upload> uploads)
    {
        foreach (var (name, path, length) in Scan(_root))
        {
            if (!name.StartsWith(ReservedSegment + "/", StringComparison.Ordinal))
            {
                resources[name] = new FileResource(path, length);
            }
        }

        foreach (var (name, path, length) in Scan(_uploadsRoot))
        {
            uploads[name] = new FileUpload(path, length);
        }
    }

    /// <summary>A file under the root that was put there after the server started (not through a link, nor in the reserved folder).</summary>
    public override StoredResource? Find(string name)
    {
        if (GetInvalidNameReason(name) is not null || name.StartsWith(ReservedSegment + "/", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var file = new FileInfo(Resolve(_root, name));
            return file.Exists && file.LinkTarget is null ? new FileResource(file.FullName, file.Length) : null;
        }
        catch (RpcException)
        {
            // A name whose path leaves the root or goes through a link: nothing there to serve.
            return null;
        }
    }

    public override StoredResource Store(string name, byte[] data)
    {
        var path = Resolve(_root, name);
        var temp = NewTempPath();
        Guard(path, () =>
        {
            File.WriteAllBytes(temp, data);
            MoveInto(temp, path);
        });
        return new FileResource(path, data.Length);
    }

    public override Upload StartUpload(string name, StoredResource? existing)
    {
        var path = Resolve(_uploadsRoot, name);
        Guard(path, () =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (existing is FileResource stored)
            {
                File.Copy(stored.Path, path, overwrite: true);
            }
            else
            {
                File.WriteAllBytes(path, existing?.ToArray() ?? []);
            }
        });
        return new FileUpload(path, existing?.Length ?? 0);
    }

    public override StoredResource Complete(string name, Upload upload)
    {
        var file = (FileUpload)upload;
        var path = Resolve(_root, name);
        file.Release();
        Guard(path, () => MoveInto(file.Path, path));
        DeleteEmptyDirectories(Path.GetDirectoryName(file.Path)!, _uploadsRoot);
        return new FileResource(path, file.Length);
    }

    public override DecodedBlob StartDecoded(string uploadName, long size) => new TempFileBlob(NewTempPath());

    public override StoredResource StoreDecoded(string name, DecodedBlob blob)
    {
        var file = (TempFileBlob)blob;
        var path = Resolve(_root, name);
        Guard(path, () =>
        {
            file.Close();
            MoveInto(file.Path, path);
        });
        return new FileResource(path, file.Length);
    }

    public override StoredResource Alias(string name, StoredResource resource)
    {
        var path = Resolve(_root, name);
        var temp = NewTempPath();
        Guard(path, () =>
        {
            File.Copy(((FileResource)resource).Path, temp);
            MoveInto(temp, path);
        });
        return new FileResource(path, resource.Length);
    }

    public override void Clear(IEnumerable<StoredResource> resources, IEnumerable<Upload> uploads)
    {
        foreach (var upload in uploads.Cast<FileUpload>())
        {
            upload.Release();
            Guard(upload.Path, () => File.Delete(upload.Path));
            DeleteEmptyDirectories(Path.GetDirectoryName(upload.Path)!, _uploadsRoot);
        }

        foreach (var resource in resources.Cast<FileResource>())
        {
            Guard(resource.Path, () => File.Delete(resource.Path));
            DeleteEmptyDirectories(Path.GetDirectoryName(resource.Path)!, _root);
        }
    }

    private static IEnumerable<(string Name, string Path, long Length)> Scan(string directory)
    {
        // Links are skipped: a file reached through one may be outside the root.
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        };
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles("*", options))
        {
            var name = Path.GetRelativePath(directory, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            yield return (name, file.FullName, file.Length);
        }
    }

    /// <summary>Moves a finished file over <paramref name="path"/> in one step, so readers see the old file or the new one, never a mix.</summary>
    private static void MoveInto(string source, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Move(source, path, overwrite: true);
    }

    /// <summary>Removes the directories an upload left empty, up to (not including) <paramref name="stop"/>.</summary>
    private static void DeleteEmptyDirectories(string directory, string stop)
    {
        while (directory.Length > stop.Length && directory.StartsWith(stop, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(directory).Any())
                {
                    return;
                }

                Directory.Delete(directory);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Another upload just created something in it, or it is not ours to remove: leave it.
                return;
            }

            directory = Path.GetDirectoryName(directory)!;
        }
    }

    /// <summary>Maps a resource name to its path under <paramref name="directory"/>.</summary>
    /// <exception cref="RpcException">INVALID_ARGUMENT: the name would leave the directory, directly or through a symbolic link.</exception>
    private string Resolve(string directory, string name)
    {
        var reason = GetInvalidNameReason(name);
        var path = reason is null ? Path.GetFullPath(Path.Join(directory, name.Replace('/', Path.DirectorySeparatorChar))) : string.Empty;
        if (reason is null && !path.StartsWith(directory + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            reason = "its path leaves the server's directory";
        }

        if (reason is null)
        {
            var current = directory;
            foreach (var segment in name.Split('/'))
            {
                current = Path.Join(current, segment);
                if (new FileInfo(current).LinkTarget is not null)
                {
                    reason = $"its path goes through the symbolic link '{current}'";
                    break;
                }
            }
        }

        return reason is null
            ? path
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"The resource name '{name}' cannot be stored under the server's directory: {reason}."));
    }

    private string NewTempPath() => Path.Join(_tempRoot, Guid.NewGuid().ToString("N"));

    /// <summary>
    /// A decoded blob written to a temporary file as it decodes, so the server holds none of it in memory; stored, the file
    /// is moved into place. Disposing it deletes the file when it was not stored (the call failed).
    /// </summary>
    private sealed class TempFileBlob : DecodedBlob
    {
        private readonly FileStream _file;

        public TempFileBlob(string path)
        {
            Path = path;
            FileStream? file = null;
            Guard(path, () => file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0));
            _file = file!;
        }

        public string Path { get; }

        /// <summary>Closes the file, with every byte written, to move it.</summary>
        public void Close() => _file.Dispose();

        public override void Dispose()
        {
            _file.Dispose();
            try
            {
                // Gone already when the blob was stored (moved into place).
                File.Delete(Path);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // A temporary file left behind is deleted when the next server starts on the directory.
            }
        }

        protected override void WriteCore(ReadOnlySpan<byte> data)
        {
            try
            {
                _file.Write(data);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                throw CannotStore(Path, exception);
            }
        }
    }
}
