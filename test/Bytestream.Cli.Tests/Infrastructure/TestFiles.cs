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

    /// <summary>Random text of 16 letters: it compresses about 2:1, so a compressed transfer shows a ratio above 1.</summary>
    public static byte[] Compressible(int length, int seed = 1)
    {
        var data = Random(length, seed);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (byte)('a' + (data[i] & 0x0f));
        }

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
