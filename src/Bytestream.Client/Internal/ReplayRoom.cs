using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// Decides when an upload's <see cref="ReplayBuffer"/> may drop bytes: once it is half full it asks in the background
/// what the server committed (spaced out, so a server that commits late is not asked on every chunk), and when it is
/// full it drops what the server committed, and if that is not enough the oldest bytes: the upload goes on, but
/// cannot resume before them. Nothing is dropped while the call is known to have ended: its resume may need it all.
/// A compressed upload restarts at 0 whatever the server committed, so it never asks.
/// </summary>
internal sealed class ReplayRoom(ClientCore core, ReplayBuffer buffer, CommitJudge judge, Metadata? headers)
{
    private readonly BackgroundStatusQuery _backgroundQuery = new();
    private bool _cannotQuery;     // the server answered UNIMPLEMENTED
    private long _keptSinceQuery;  // bytes kept since the last background query

    private bool MayAsk => !buffer.KeepsNothing && !_cannotQuery && !judge.RestartsOnly;

    /// <summary>A new chunk of <paramref name="count"/> bytes was sent and is kept: asks in the background once the buffer is half full.</summary>
    public void Kept(string resourceName, int count, CancellationToken cancellationToken)
    {
        _keptSinceQuery += count;
        if (MayAsk && buffer.Held >= buffer.MaxBytes / 2 && _keptSinceQuery >= buffer.MaxBytes / 4)
        {
            _keptSinceQuery = 0;
            _backgroundQuery.Start(core, resourceName, headers, judge.Epoch, cancellationToken);
        }
    }

    /// <summary>An answer to <c>QueryWriteStatus</c> the session had: UNIMPLEMENTED means never asking again.</summary>
    public void Heard(StatusAnswer answer) => _cannotQuery |= answer.Unimplemented;

    /// <summary>
    /// Before the source hands out the chunk at <paramref name="position"/>: when it is a new one (not resent from the
    /// buffer), makes room if the buffer is full, and returns <see langword="true"/> (report it with <see cref="Kept"/>
    /// once sent: resent bytes do not count, so no query starts while a resume resends, when the server has not taken
    /// them yet). Whether <paramref name="call"/> has ended is asked again after every wait: it may end while the query runs.
    /// </summary>
    public async ValueTask<bool> BeforeNextAsync(string resourceName, long position, WriteCall? call, CancellationToken cancellationToken)
    {
        var chunkSize = core.Options.ChunkSize;
        if (position != buffer.End)
        {
            return false;
        }

        if (!buffer.NeedsRoom(chunkSize))
        {
            return true;
        }

        if (MayAsk)
        {
            var (answer, epoch) = await _backgroundQuery.TakeAsync().ConfigureAwait(false);
            if (answer is null && call is not { Ended: true })
            {
                (answer, epoch) = (await AskAsync(resourceName, cancellationToken).ConfigureAwait(false), judge.Epoch);
            }

            _cannotQuery |= answer?.Unimplemented == true;
            if (answer is { Unknown: null, Status: var status })
            {
                var decision = judge.OnBackgroundStatus(status, epoch);
                buffer.Release(decision.Verdict == CommitVerdict.Fail ? throw decision.Error! : decision.Offset, position);
            }
        }

        if (buffer.NeedsRoom(chunkSize) && call is not { Ended: true })
        {
            var heldFrom = buffer.MakeRoom(position);
            if (!buffer.KeepsNothing)
            {
                Log.ReplayBufferDropped(core.Logger, resourceName, judge.CommittedSize, heldFrom);
            }
        }

        return true;
    }

    /// <summary>A QueryWriteStatus, with retries, whose failure only means no answer.</summary>
    private async ValueTask<StatusAnswer?> AskAsync(string resourceName, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteStatusQuery.AskWithRetriesAsync(core, resourceName, headers, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
