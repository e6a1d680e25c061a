using System.Diagnostics;

namespace Bytestream.Cli.Tests;

/// <summary>Files that are not regular files, made with the system's own commands: FIFOs (mkfifo) and device nodes (mknod, as root).</summary>
public static class SpecialFiles
{
    /// <summary>Whether this process may create device nodes: mknod needs root.</summary>
    public static bool CanMakeDevices => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    public static void MakeFifo(string path) => Run("mkfifo", path);

    /// <summary>A character device with the numbers of /dev/null (1, 3): it takes every byte and keeps none.</summary>
    public static void MakeNullDevice(string path) => Run("mknod", path, "c", "1", "3");

    /// <summary>What <c>stat</c> says the path is, not following a link: "regular file", "fifo", "character special file", "symbolic link".</summary>
    public static string TypeOf(string path) => Run("stat", "-c", "%F", path).Trim();

    private static string Run(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {error}");
    }
}
