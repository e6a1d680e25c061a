using System.Security.Cryptography;

namespace Bytestream.Testing.Internal;

/// <summary>
/// The digest functions the server checks uploads with (<see cref="ByteStreamTestServerOptions.VerifyUploadDigests"/>):
/// the name's digest_function segment (in any case), or, without one, the hash length (SHA-256, SHA-1, MD5, SHA-384, SHA-512).
/// </summary>
internal static class BlobDigests
{
    /// <summary>The lowercase hex hash of <paramref name="data"/> with the function of <paramref name="name"/>, or <see langword="null"/> when the server does not compute it.</summary>
    public static string? Compute(ReapiNames name, ReadOnlySpan<byte> data)
    {
        using var hasher = CreateHasher(name);
        hasher?.Append(data);
        return hasher?.FinishHex();
    }

    /// <summary>Starts a hash with the function of <paramref name="name"/>, for data that arrives in pieces; <see langword="null"/> when the server does not compute it.</summary>
    public static BlobDigest? CreateHasher(ReapiNames name) =>
        (name.DigestFunction?.ToLowerInvariant() ?? ByLength(name.Hash.Length)) switch
        {
            // REAPI names blobs with SHA-1 and MD5 too: they identify content here, they protect nothing.
            "sha256" => new BlobDigest(IncrementalHash.CreateHash(HashAlgorithmName.SHA256)),
            "sha1" => new BlobDigest(IncrementalHash.CreateHash(HashAlgorithmName.SHA1)),
            "md5" => new BlobDigest(IncrementalHash.CreateHash(HashAlgorithmName.MD5)),
            "sha384" => new BlobDigest(IncrementalHash.CreateHash(HashAlgorithmName.SHA384)),
            "sha512" => new BlobDigest(IncrementalHash.CreateHash(HashAlgorithmName.SHA512)),
            "blake3" => new BlobDigest(Blake3.Hasher.New()),
            _ => null,
        };

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
