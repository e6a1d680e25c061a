using System.Security.Cryptography;
using System.Text;
using ZstdSharp;

namespace Bytestream.Client.Tests;

/// <summary>Deterministic test payloads and their SHA-256, so data is verified end to end.</summary>
public static class TestData
{
    public static byte[] Random(int length, int seed = 1)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A REAPI read name (<c>{instance}/blobs/{sha256}/{size}</c>) for <paramref name="data"/>.</summary>
    public static string BlobName(ReadOnlySpan<byte> data, string instance = "test") => $"{instance}/blobs/{Sha256(data)}/{data.Length}";

    /// <summary>Compressible bytes that look like source code: numbered lines with a few varying words.</summary>
    public static byte[] Text(int length, int seed = 1)
    {
        var random = new Random(seed);
        string[] words = ["var", "return", "await", "client", "stream", "offset", "if", "resource", "=>", "null", "async"];
        var text = new StringBuilder(length + 100);
        for (var line = 1; text.Length < length; line++)
        {
            text.Append("    ").Append(line).Append(':');
            for (var i = random.Next(3, 9); i > 0; i--)
            {
                text.Append(' ').Append(words[random.Next(words.Length)]);
            }

            text.Append(";\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>One zstd frame of <paramref name="data"/>, made by ZstdSharp directly (not through the code under test).</summary>
    public static byte[] Zstd(ReadOnlySpan<byte> data, int level = 3)
    {
        using var compressor = new Compressor(level);
        return compressor.Wrap(data).ToArray();
    }

    /// <summary>The bytes a zstd stream decodes to.</summary>
    public static byte[] Unzstd(ReadOnlySpan<byte> compressed)
    {
        using var decompressor = new Decompressor();
        return decompressor.Unwrap(compressed).ToArray();
    }

    /// <summary>The compressed-blobs/zstd/ read name of <paramref name="data"/>.</summary>
    public static string ZstdBlobName(ReadOnlySpan<byte> data, string instance = "test") => $"{instance}/compressed-blobs/zstd/{Sha256(data)}/{data.Length}";

    /// <summary>A compressed-blobs/zstd/ upload name of <paramref name="data"/>, under a fresh upload id.</summary>
    public static string ZstdUploadName(ReadOnlySpan<byte> data, string instance = "test") =>
        $"{instance}/uploads/{Guid.NewGuid()}/compressed-blobs/zstd/{Sha256(data)}/{data.Length}";
}
