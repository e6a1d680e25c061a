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

    /// <summary>The source handed out <paramref name="count"/> more bytes, now kept: asks in the background once the buffer is half full.</summary>
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

    /// <summary>Before the source reads new bytes at <paramref name="position"/>: makes room when the buffer is full.</summary>
    public async ValueTask MakeRoomIfFullAsync(string resourceName, long position, bool callEnded, CancellationToken cancellationToken)
    {
        var chunkSize = core.Options.ChunkSize;
        if (position != buffer.End || !buffer.NeedsRoom(chunkSize))
        {
            return;
        }

        if (MayAsk)
        {
            var (answer, epoch) = await _backgroundQuery.TakeAsync().ConfigureAwait(false);
            if (answer is null && !callEnded)
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

        if (buffer.NeedsRoom(chunkSize) && !callEnded)
        {
            var heldFrom = buffer.MakeRoom(position);
            if (!buffer.KeepsNothing)
            {
                Log.ReplayBufferDropped(core.Logger, resourceName, judge.CommittedSize, heldFrom);
            }
        }
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
