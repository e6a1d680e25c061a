using System.Collections.Concurrent;

namespace Bytestream.Client.Internal;

/// <summary>
/// Concurrent uploads of the same blob on one client share one transfer (as Bazel's upload cache and
/// remote-apis-sdks' in-flight map do), by the blob's <see cref="TransferPlan.SharingKey"/>: the first caller uploads, later ones wait for it and take its
/// result. A failure is not shared: the waiting callers then upload their own data, one of them first.
/// A waiter's cancellation ends only its wait; the first caller's ends the transfer (it reads that
/// caller's data), and the others then upload their own.
/// </summary>
internal sealed class SharedUploads
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<UploadResult?>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="upload"/>, unless an upload with the same key is under way: then waits for it and returns its result.</summary>
    public async Task<UploadResult> RunAsync(string key, Func<CancellationToken, Task<UploadResult>> upload, CancellationToken cancellationToken)
    {
        while (true)
        {
            var mine = new TaskCompletionSource<UploadResult?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var current = _inFlight.GetOrAdd(key, mine);
            if (current == mine)
            {
                return await LeadAsync(key, mine, upload, cancellationToken).ConfigureAwait(false);
            }

            var shared = await current.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (shared is not null)
            {
                return shared with { BytesSent = 0, Resumes = 0, Shared = true };
            }

            // The upload failed: this caller tries with its own data (perhaps first, perhaps waiting again).
        }
    }

    private async Task<UploadResult> LeadAsync(string key, TaskCompletionSource<UploadResult?> mine,
        Func<CancellationToken, Task<UploadResult>> upload, CancellationToken cancellationToken)
    {
        UploadResult? result = null;
        try
        {
            result = await upload(cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            // Out of the map first, so that a waiter who tries again after a failure does not find it.
            _inFlight.TryRemove(KeyValuePair.Create(key, mine));
            mine.SetResult(result);
        }
    }
}
