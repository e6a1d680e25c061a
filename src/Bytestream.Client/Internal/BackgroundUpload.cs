namespace Bytestream.Client.Internal;

/// <summary>
/// The upload behind a <see cref="ByteStreamWriteStream"/>: its <see cref="UploadSession"/> runs in the background from
/// the first write and takes the writes from a <see cref="WrittenUploadSource"/>. A caller's token passed to one of
/// its operations cancels the whole upload (a stream cannot go on after a cancelled write); <see cref="Release"/>
/// ends it without <c>finish_write</c>, so what the server committed stays resumable.
/// </summary>
internal sealed class BackgroundUpload : IDisposable
{
    private readonly WrittenUploadSource _source;
    private readonly UploadSession _session;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly Task<UploadResult> _upload;
    private readonly ClientCore _core;
    private readonly TransferPlan _plan;
    private readonly UploadOptions? _options;
    private int _disposed;

    public BackgroundUpload(ClientCore core, TransferPlan plan, UploadOptions? options)
    {
        _core = core;
        _plan = plan;
        _options = options;
        _source = new WrittenUploadSource(plan.ResourceName, core.Options.ChunkSize);
        _session = new UploadSession(core, plan, options, _source);
        _upload = RunAsync();
    }

    /// <summary>Gets the last committed size the server reported.</summary>
    public long CommittedSize => _session.CommittedSize;

    /// <summary>Copies <paramref name="data"/> into the upload; completes when the caller may reuse the memory.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) => WithCancellation(_source.WriteAsync(data), cancellationToken);

    /// <summary>Sends what was written so far; completes when it was sent.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => WithCancellation(_source.FlushAsync(), cancellationToken);

    /// <summary>No more writes: waits for the session to finish the upload.</summary>
    public Task<UploadResult> CompleteAsync(CancellationToken cancellationToken)
    {
        _source.End();
        return WithCancellation(_upload, cancellationToken);
    }

    /// <summary>Sends what was written, then waits until the server reports it committed (see <see cref="CommitWaiter"/>); the token cancels only the wait.</summary>
    public async Task<long> WaitForCommitAsync(CancellationToken cancellationToken)
    {
        await _source.FlushAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return await CommitWaiter.WaitAsync(_core, _session, _options?.Headers, _plan.Compressed, _upload, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the session, if it still runs: the call ends without finish_write.</summary>
    public void Release()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        _cancellation.Cancel();
        _upload.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Ends the session like <see cref="Release"/>; the session gives back what it holds as it ends. Idempotent.</summary>
    public void Dispose()
    {
        Release();
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _upload.ContinueWith(static (_, cancellation) => ((CancellationTokenSource)cancellation!).Dispose(), _cancellation,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<UploadResult> RunAsync()
    {
        try
        {
            return await _session.RunAsync(_cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _source.Fail(ex);
            throw;
        }
        finally
        {
            _session.Dispose();
        }
    }

    private async Task<T> WithCancellation<T>(Task<T> task, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cancellation))
        {
            return await task.ConfigureAwait(false);
        }
    }

    private async Task WithCancellation(Task task, CancellationToken cancellationToken)
    {
        using (cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _cancellation))
        {
            await task.ConfigureAwait(false);
        }
    }
}
