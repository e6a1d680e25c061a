using System.Security.Cryptography;

namespace Bytestream.Cli.Tests;

/// <summary>Deterministic files to transfer, and their SHA-256, so data is checked end to end.</summary>
public static class TestFiles
{
    public static byte[] Random(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Write(string directory, string name, byte[] data)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, data);
        return path;
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    public static string Sha256(string path) => Sha256(File.ReadAllBytes(path));
}
