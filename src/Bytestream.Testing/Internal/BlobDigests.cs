using System.Security.Cryptography;

namespace Bytestream.Testing.Internal;

/// <summary>
/// The digest functions the server checks uploads with (<see cref="ByteStreamTestServerOptions.VerifyUploadDigests"/>):
/// the name's digest_function segment, or, without one, the hash length (SHA-256, SHA-1, MD5, SHA-384, SHA-512).
/// </summary>
internal static class BlobDigests
{
    /// <summary>The lowercase hex hash of <paramref name="data"/> with the function of <paramref name="name"/>, or <see langword="null"/> when the server does not compute it.</summary>
    public static string? Compute(ReapiNames name, ReadOnlySpan<byte> data)
    {
        byte[]? hash = (name.DigestFunction ?? ByLength(name.Hash.Length)) switch
        {
            "sha256" => Hash(HashAlgorithmName.SHA256, data),
            "sha1" => Hash(HashAlgorithmName.SHA1, data),
            "md5" => Hash(HashAlgorithmName.MD5, data),
            "sha384" => Hash(HashAlgorithmName.SHA384, data),
            "sha512" => Hash(HashAlgorithmName.SHA512, data),
            "blake3" => Blake3Hash(data),
            _ => null,
        };
        return hash is null ? null : Convert.ToHexString(hash).ToLowerInvariant();
    }

    // REAPI names blobs with SHA-1 and MD5 too: they identify content here, they protect nothing.
    private static byte[] Hash(HashAlgorithmName algorithm, ReadOnlySpan<byte> data)
    {
        using var hash = IncrementalHash.CreateHash(algorithm);
        hash.AppendData(data);
        return hash.GetHashAndReset();
    }

    private static byte[] Blake3Hash(ReadOnlySpan<byte> data)
    {
        var hash = new byte[32];
        Blake3.Hasher.Hash(data, hash);
        return hash;
    }

    private static string? ByLength(int hexDigits) => hexDigits switch
    {
        64 => "sha256",
        40 => "sha1",
        32 => "md5",
        96 => "sha384",
        128 => "sha512",
        _ => null,
    };
}
