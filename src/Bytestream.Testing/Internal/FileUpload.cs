namespace Bytestream.Testing.Internal;

/// <summary>
/// An upload held in a file under the storage directory; the file's length is what the upload holds, so
/// after a restart the file alone says how much is committed. Writes are unbuffered: a byte reported as
/// committed is in the file even if the process is killed right after.
/// </summary>
internal sealed class FileUpload : Upload
{
    private FileStream? _file;

    public FileUpload(string path, long length)
    {
        Path = path;
        Length = length;
        Committed = length;
    }

    public string Path { get; }

    public override void Append(ReadOnlyMemory<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        FileStorage.Guard(Path, () =>
        {
            var file = Open();
            file.Position = Length;
            file.Write(data.Span);
        });
        Length += data.Length;
    }

    public override void Truncate(long length)
    {
        if (length < Length)
        {
            FileStorage.Guard(Path, () => Open().SetLength(length));
            Length = length;
        }

        Committed = Length;
    }

    public override byte[] ToArray()
    {
        var data = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        FileStorage.Guard(Path, () =>
        {
            using var reader = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
            reader.ReadExactly(data);
        });
        return data;
    }

    public override void Release()
    {
        _file?.Dispose();
        _file = null;
    }

    private FileStream Open() =>
        _file ??= new FileStream(Path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete, bufferSize: 0);
}
