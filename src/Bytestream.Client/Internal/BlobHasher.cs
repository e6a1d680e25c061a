using System.Security.Cryptography;

namespace Bytestream.Client.Internal;

/// <summary>An incremental hash of a blob's bytes, whatever the digest function: appended chunk by chunk, read once as lowercase hex.</summary>
internal abstract class BlobHasher : IDisposable
{
    public abstract void Append(ReadOnlySpan<byte> data);

    /// <summary>Ends the hash and returns it as lowercase hexadecimal, the form of a REAPI hash.</summary>
    public abstract string FinishHex();

    public abstract void Dispose();

    /// <summary>The functions of <see cref="System.Security.Cryptography"/>: SHA-256, SHA-1, MD5, SHA-384, SHA-512.</summary>
    public static BlobHasher Create(HashAlgorithmName algorithm) => new Incremental(IncrementalHash.CreateHash(algorithm));

    /// <summary>BLAKE3 with its default 32-byte output, from the Blake3 package (managed, SIMD).</summary>
    public static BlobHasher CreateBlake3() => new Blake3Hasher();

    private static string ToLowerHex(ReadOnlySpan<byte> hash) => Convert.ToHexString(hash).ToLowerInvariant();

    private sealed class Incremental(IncrementalHash hash) : BlobHasher
    {
        public override void Append(ReadOnlySpan<byte> data) => hash.AppendData(data);

        public override string FinishHex() => ToLowerHex(hash.GetHashAndReset());

        public override void Dispose() => hash.Dispose();
    }

    private sealed class Blake3Hasher : BlobHasher
    {
        private readonly Blake3.Hasher _hasher = Blake3.Hasher.New();

        public override void Append(ReadOnlySpan<byte> data) => _hasher.Update(data);

        public override string FinishHex()
        {
            Span<byte> hash = stackalloc byte[32];
            _hasher.Finalize(hash);
            return ToLowerHex(hash);
        }

        public override void Dispose() => _hasher.Dispose();
    }
}
