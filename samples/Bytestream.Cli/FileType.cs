using System.Runtime.InteropServices;

namespace Bytestream.Cli;

/// <summary>What kind of file system entry a path names, following symbolic links, as <c>stat</c> tells it.</summary>
internal enum FileType
{
    /// <summary>Nothing is there (or a link that leads nowhere).</summary>
    None,

    /// <summary>A regular file.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>Anything else: a character or block device (<c>/dev/null</c>), a FIFO, a socket.</summary>
    Special,
}

/// <summary>
/// Reads a path's <see cref="FileType"/>. .NET has no public API that tells a regular file from a device or a FIFO
/// (<see cref="FileAttributes"/> says Normal for all of them), so on Unix this asks the runtime's own native shim,
/// <c>SystemNative_Stat</c>, whose result begins with its flags and the <c>st_mode</c> bits on every Unix it runs on.
/// On Windows every existing entry that is not a directory counts as a regular file.
/// </summary>
internal static class FileTypes
{
    // st_mode's file type bits, as the runtime's shim reports them on every platform (pal_io.h).
    private const int TypeMask = 0xF000;
    private const int RegularBits = 0x8000;
    private const int DirectoryBits = 0x4000;

    public static FileType Of(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.Exists(path) ? FileType.Directory : File.Exists(path) ? FileType.Regular : FileType.None;
        }

        // The path as the C string the shim takes: UTF-8, NUL-terminated.
        if (Stat(System.Text.Encoding.UTF8.GetBytes(path + '\0'), out var status) != 0)
        {
            return FileType.None;
        }

        return (status.Mode & TypeMask) switch
        {
            RegularBits => FileType.Regular,
            DirectoryBits => FileType.Directory,
            _ => FileType.Special,
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Stat(byte[] path, out FileStatus status);

    /// <summary>The start of the shim's FileStatus; sized well past its end, so the shim never writes beyond it.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }
}
