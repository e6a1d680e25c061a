namespace Bytestream.Client.Internal;

/// <summary>
/// <see cref="UploadOptions.VerifyDigest"/>: hashes the caller's bytes the first time the source they come
/// from hands them out (resends are not hashed again), so that the session can refuse to send
/// <c>finish_write</c> for data that does not match its name.
/// </summary>
internal sealed class VerifyingUploadSource(string resourceName, UploadSource inner, DigestVerifier verifier) : UploadSource(resourceName)
{
    private DigestVerifier _verifier = verifier;

    public override long HeldFrom => inner.HeldFrom;

    public override ReplayBuffer? Buffer => inner.Buffer;

    public override async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        var chunk = await inner.NextAsync(cancellationToken).ConfigureAwait(false);
        _verifier.Append(chunk.Span);
        Position = inner.Position;
        return chunk;
    }

    public override ValueTask SkipAsync(long count, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("UploadOptions.VerifyDigest does not combine with ResumeExistingUpload.");

    public override async ValueTask ReplayAsync(long from, long to, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, CancellationToken cancellationToken)
    {
        await inner.ReplayAsync(from, to, send, cancellationToken).ConfigureAwait(false);
        Position = inner.Position;
    }

    public override ValueTask<long?> EndEarlyAsync(CancellationToken cancellationToken) => inner.EndEarlyAsync(cancellationToken);

    public override bool TryRestart()
    {
        if (!inner.TryRestart())
        {
            return false;
        }

        // Everything is handed out again from the start: hash it again from the start.
        _verifier.Dispose();
        _verifier = DigestVerifier.ForUpload(ResourceName, "options");
        Position = inner.Position;
        return true;
    }

    public override ByteStreamException? CheckContent() => _verifier.Check() ?? inner.CheckContent();

    public override void Dispose()
    {
        _verifier.Dispose();
        inner.Dispose();
    }
}
