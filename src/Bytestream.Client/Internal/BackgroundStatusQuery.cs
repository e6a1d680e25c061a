namespace Bytestream.Client.Internal;

/// <summary>
/// A QueryWriteStatus that runs while the upload goes on, started when the replay buffer is half full,
/// so that making room once it is full does not stall the stream for a round trip. Its answer is only
/// a hint, which <see cref="CommitJudge.OnBackgroundStatus"/> weighs with the epoch it was asked in; a
/// failure just means no answer.
/// </summary>
internal sealed class BackgroundStatusQuery
{
    private Task<StatusAnswer?>? _query;
    private int _epoch;

    /// <summary>Starts a query unless one is running; <paramref name="epoch"/> is the judge's epoch now.</summary>
    public void Start(ClientCore core, string resourceName, Grpc.Core.Metadata? headers, int epoch, CancellationToken cancellationToken)
    {
        if (_query is null)
        {
            _epoch = epoch;
            _query = QueryAsync(core, resourceName, headers, cancellationToken);
        }
    }

    /// <summary>Waits for the running query, if any, and takes its answer and the epoch it was asked in.</summary>
    public async ValueTask<(StatusAnswer? Answer, int Epoch)> TakeAsync()
    {
        if (_query is not { } query)
        {
            return (null, _epoch);
        }

        _query = null;
        return (await query.ConfigureAwait(false), _epoch);
    }

    private static async Task<StatusAnswer?> QueryAsync(ClientCore core, string resourceName, Grpc.Core.Metadata? headers, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteStatusQuery.AskAsync(core, resourceName, headers, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Grpc.Core.RpcException or OperationCanceledException)
        {
            return null;
        }
    }
}
