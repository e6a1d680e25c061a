using System.Security.Cryptography;

namespace Bytestream.Testing.Internal;

/// <summary>One hash in progress over a blob's bytes as they arrive: a .NET hash or BLAKE3 (<see cref="BlobDigests.CreateHasher"/>).</summary>
internal sealed class BlobDigest : IDisposable
{
    private readonly IncrementalHash? _hash;
    private readonly Blake3.Hasher? _blake3;

    public BlobDigest(IncrementalHash hash) => _hash = hash;

    public BlobDigest(Blake3.Hasher blake3) => _blake3 = blake3;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_hash is not null)
        {
            _hash.AppendData(data);
        }
        else
        {
            _blake3!.Update(data);
        }
    }

    /// <summary>The hash of everything appended, in lowercase hexadecimal.</summary>
    public string FinishHex()
    {
        if (_hash is not null)
        {
            return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
        }

        Span<byte> hash = stackalloc byte[32];
        _blake3!.Finalize(hash);
        return Convert.ToHexString(hash).ToLowerInvariant();
    }

    public void Dispose()
    {
        _hash?.Dispose();
        _blake3?.Dispose();
    }
}
