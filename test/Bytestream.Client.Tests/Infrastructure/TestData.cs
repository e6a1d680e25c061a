using System.Security.Cryptography;

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
}
