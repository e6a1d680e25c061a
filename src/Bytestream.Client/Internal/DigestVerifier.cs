namespace Bytestream.Client.Internal;

/// <summary>
/// Checks a transfer's bytes against the digest in its REAPI name: they are appended as they pass (the
/// uncompressed bytes, across resumes), and <see cref="Check"/> compares hash and size at the end. Which
/// transfers are checked is decided here: whole blobs only (a part of a blob has no digest), with a digest
/// function the client can compute; an unknown function is refused before any call.
/// </summary>
internal sealed class DigestVerifier : IDisposable
{
    private readonly string _resourceName;
    private readonly BlobResourceName _blob;
    private readonly DigestAlgorithm _algorithm;
    private readonly BlobHasher _hasher;
    private readonly bool _upload;
    private long _length;
    private string? _hash;

    private DigestVerifier(string resourceName, BlobResourceName blob, DigestAlgorithm algorithm, bool upload)
    {
        _resourceName = resourceName;
        _blob = blob;
        _algorithm = algorithm;
        _upload = upload;
        _hasher = algorithm.CreateHasher();
    }

    /// <summary>
    /// The verifier of a read, or <see langword="null"/> when it is not checked: verification off, not a REAPI
    /// blob name, a digest function no .NET package computes (SHA256TREE, VSO, MURMUR3), or not the whole blob.
    /// </summary>
    /// <exception cref="NotSupportedException">The name's digest function is not one REAPI defines.</exception>
    public static DigestVerifier? ForRead(string resourceName, long offset, long limit, bool verify)
    {
        if (!verify || Resolve(resourceName, "Set DownloadOptions.VerifyDigest = false to read it unchecked.") is not var (blob, algorithm))
        {
            return null;
        }

        var wholeBlob = offset == 0 && (limit == 0 || limit >= blob.Size);
        return wholeBlob && algorithm.CanCompute ? new DigestVerifier(resourceName, blob, algorithm, upload: false) : null;
    }

    /// <summary>The verifier of an upload with <see cref="UploadOptions.VerifyDigest"/>: the name must be a REAPI blob name whose digest function the client computes.</summary>
    /// <exception cref="ArgumentException">The name is not a REAPI blob name.</exception>
    /// <exception cref="NotSupportedException">The client cannot compute the name's digest function.</exception>
    public static DigestVerifier ForUpload(string resourceName, string optionsName)
    {
        if (!BlobResourceName.TryParse(resourceName, out _))
        {
            throw new ArgumentException($"UploadOptions.VerifyDigest needs a REAPI blob name with a digest, but '{resourceName}' is not one.", optionsName);
        }

        var (blob, algorithm) = Resolve(resourceName, "Set UploadOptions.VerifyDigest = false to upload it unchecked.")!.Value;
        return algorithm.CanCompute
            ? new DigestVerifier(resourceName, blob, algorithm, upload: true)
            : throw new NotSupportedException($"UploadOptions.VerifyDigest cannot check '{resourceName}': no .NET package computes its digest function '{algorithm.Name}' (this client computes {DigestAlgorithm.Computable}).");
    }

    /// <summary>Appends the next bytes of the blob.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _hasher.Append(data);
        _length += data.Length;
    }

    /// <summary>
    /// Ends the check: <see langword="null"/> when the bytes match the name's hash and size, otherwise the error that
    /// names both digests. Asked again (a resumed upload reaches its end once more), it gives the same answer.
    /// </summary>
    public ByteStreamException? Check()
    {
        _hash ??= _hasher.FinishHex();
        return _hash == _blob.Hash && _length == _blob.Size
            ? null
            : ThrowHelper.DigestMismatch(_resourceName, _algorithm.Name, _blob, _hash, _length, _upload);
    }

    public void Dispose() => _hasher.Dispose();

    private static (BlobResourceName Blob, DigestAlgorithm Algorithm)? Resolve(string resourceName, string whatToSet)
    {
        if (!BlobResourceName.TryParse(resourceName, out var blob))
        {
            return null;
        }

        return (blob, DigestAlgorithm.Of(blob) ?? throw ThrowHelper.UnknownDigestFunction(resourceName, blob, whatToSet));
    }
}
