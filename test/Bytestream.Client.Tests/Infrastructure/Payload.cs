using System.Security.Cryptography;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>Test data that is the same on every run, and the SHA-256 the tests compare it by.</summary>
public static class Payload
{
    public static byte[] Create(int size, int seed = 1)
    {
        var data = new byte[size];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>A REAPI read name (<c>{instance}/blobs/{sha256}/{size}</c>) for <paramref name="data"/>.</summary>
    public static string BlobName(ReadOnlySpan<byte> data, string instance = "test") => $"{instance}/blobs/{Sha256(data)}/{data.Length}";
}
