using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// A QueryWriteStatus that runs while the upload goes on, so that making room in the replay buffer
/// does not stall the stream for a round trip. Its answer is only a hint: it is dropped when a resume
/// happened meanwhile, and a failure just means no answer.
/// </summary>
internal sealed class BackgroundStatusQuery(ClientCore core, string resourceName, Metadata? headers)
{
    private Task<WriteStatus?>? _query;
    private int _generation;

    /// <summary>Starts a query unless one is running; <paramref name="generation"/> names the Write call it is about.</summary>
    public void Start(int generation, CancellationToken cancellationToken)
    {
        if (_query is null)
        {
            _generation = generation;
            _query = QueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Takes the answer of the query, waiting for it when <paramref name="wait"/> is set; <see langword="null"/>
    /// when there is none yet, it failed, or it was about an earlier call than <paramref name="generation"/>.
    /// </summary>
    public async ValueTask<WriteStatus?> TakeAsync(int generation, bool wait)
    {
        if (_query is not { } query || (!wait && !query.IsCompleted))
        {
            return null;
        }

        _query = null;
        var status = await query.ConfigureAwait(false);
        return _generation == generation ? status : null;
    }

    private async Task<WriteStatus?> QueryAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await WriteStatusQuery.QueryAsync(core, resourceName, headers, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or OperationCanceledException)
        {
            return null;
        }
    }
}
