namespace Bytestream.Client.Internal;

/// <summary>
/// <see cref="UploadOptions.VerifyDigest"/>: hashes the caller's bytes the first time they pass (bytes handed
/// out again after a rewind are not hashed again), and at the end of the data throws the mismatch instead of
/// reporting the end, so the session never sends <c>finish_write</c> for data that does not match its name.
/// </summary>
internal sealed class VerifyingUploadSource(string resourceName, UploadSource inner, DigestVerifier verifier) : UploadSource(resourceName)
{
    private long _hashedTo;

    public override bool CanRewind => inner.CanRewind;

    public override long CallerPosition => inner.CallerPosition;

    public override async ValueTask<UploadChunk> NextAsync(CancellationToken cancellationToken)
    {
        var chunk = await inner.NextAsync(cancellationToken).ConfigureAwait(false);
        var start = inner.Position - chunk.Data.Length;
        if (inner.Position > _hashedTo)
        {
            verifier.Append(chunk.Data.Span[(int)(_hashedTo - start)..]);
            _hashedTo = inner.Position;
        }

        Position = inner.Position;
        return chunk.IsEnd && verifier.Check() is { } mismatch ? throw mismatch : chunk;
    }

    public override async ValueTask MoveToAsync(long offset, CancellationToken cancellationToken)
    {
        if (offset > _hashedTo)
        {
            throw new InvalidOperationException("A checked upload cannot skip bytes it has not hashed (the planner refuses VerifyDigest with ResumeExistingUpload).");
        }

        await inner.MoveToAsync(offset, cancellationToken).ConfigureAwait(false);
        Position = offset;
    }

    public override ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => inner.EndEarlyAsync(cancellationToken);

    public override void Dispose()
    {
        verifier.Dispose();
        inner.Dispose();
    }
}
