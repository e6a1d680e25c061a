namespace Bytestream.Client.Internal;

/// <summary>
/// Checks a transfer's bytes against the digest in its REAPI name: they are appended as they pass (the
/// uncompressed bytes, across resumes), and <see cref="Check"/> compares hash and size at the end. Which
/// transfers are checked is the <see cref="TransferPlanner"/>'s decision (<see cref="TransferPlan.CreateVerifier"/>).
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

    public DigestVerifier(string resourceName, BlobResourceName blob, DigestAlgorithm algorithm, bool upload)
    {
        _resourceName = resourceName;
        _blob = blob;
        _algorithm = algorithm;
        _upload = upload;
        _hasher = algorithm.CreateHasher();
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
}
