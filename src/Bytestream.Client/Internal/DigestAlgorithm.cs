using System.Security.Cryptography;

namespace Bytestream.Client.Internal;

/// <summary>
/// A REAPI digest function: its name, its hash length, and whether this client can compute it. The one
/// place that says which function a blob name means: the name's <c>digest_function</c> segment, or, when it
/// has none (REAPI omits it for MD5, MURMUR3, SHA1, SHA256, SHA384, SHA512 and VSO), the hash length.
/// </summary>
internal sealed class DigestAlgorithm
{
    public static readonly DigestAlgorithm Sha256 = new("sha256", 32, () => BlobHasher.Create(HashAlgorithmName.SHA256));
    public static readonly DigestAlgorithm Sha1 = new("sha1", 20, () => BlobHasher.Create(HashAlgorithmName.SHA1));
    public static readonly DigestAlgorithm Md5 = new("md5", 16, () => BlobHasher.Create(HashAlgorithmName.MD5));
    public static readonly DigestAlgorithm Sha384 = new("sha384", 48, () => BlobHasher.Create(HashAlgorithmName.SHA384));
    public static readonly DigestAlgorithm Sha512 = new("sha512", 64, () => BlobHasher.Create(HashAlgorithmName.SHA512));
    public static readonly DigestAlgorithm Blake3 = new("blake3", 32, BlobHasher.CreateBlake3);

    // Known to REAPI, but no well-kept .NET package computes them: blobs named with them are not verified.
    private static readonly DigestAlgorithm Sha256Tree = new("sha256tree", 32, null);
    private static readonly DigestAlgorithm Vso = new("vso", 33, null);
    private static readonly DigestAlgorithm Murmur3 = new("murmur3", 16, null);

    private static readonly DigestAlgorithm[] Known = [Sha256, Sha1, Md5, Sha384, Sha512, Blake3, Sha256Tree, Vso, Murmur3];

    private readonly Func<BlobHasher>? _createHasher;

    private DigestAlgorithm(string name, int hashBytes, Func<BlobHasher>? createHasher)
    {
        Name = name;
        HashBytes = hashBytes;
        _createHasher = createHasher;
    }

    /// <summary>Gets the lowercase <c>DigestFunction.Value</c> name, as in a resource name.</summary>
    public string Name { get; }

    /// <summary>Gets the length of a hash in bytes (twice that in hex digits).</summary>
    public int HashBytes { get; }

    /// <summary>Gets whether this client can compute the function.</summary>
    public bool CanCompute => _createHasher is not null;

    /// <summary>The names of the functions this client computes, for messages.</summary>
    public static string Computable => string.Join(", ", Known.Where(a => a.CanCompute).Select(a => a.Name));

    /// <summary>Starts a hash. Only for functions that <see cref="CanCompute"/>.</summary>
    public BlobHasher CreateHasher() => (_createHasher ?? throw new InvalidOperationException($"The digest function '{Name}' cannot be computed."))();

    /// <summary>
    /// The function a blob name means, or <see langword="null"/> when REAPI does not know it: a digest-function
    /// segment that is not a <c>DigestFunction.Value</c>, or no segment and a hash length no classic function has.
    /// A 16-byte hash without a segment is MD5 (MURMUR3 shares the length; servers announce one of them).
    /// </summary>
    public static DigestAlgorithm? Of(BlobResourceName name)
    {
        if (name.DigestFunction is { } function)
        {
            return Named(function);
        }

        var bytes = name.Hash.Length / 2;
        return Array.Find([Sha256, Sha1, Md5, Sha384, Sha512, Vso], a => a.HashBytes == bytes);
    }

    /// <summary>The function called <paramref name="name"/> in any case (<c>BLAKE3</c> as the enum spells it, <c>blake3</c> as names do), or <see langword="null"/> when REAPI has none of that name.</summary>
    public static DigestAlgorithm? Named(string name) => Array.Find(Known, a => a.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Whether a name with this function writes the <c>digest_function</c> segment: REAPI requires it for every
    /// function but the classic ones, which the hash length tells apart.
    /// </summary>
    public bool NeedsSegment => this == Blake3 || this == Sha256Tree;
}
