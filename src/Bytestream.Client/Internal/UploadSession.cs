using System.Runtime.ExceptionServices;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The loop of one upload, whatever its source: it sends the source's chunks on a <see cref="WriteCall"/>, finishes
/// it, and after a failure asks where the server stands and moves the source back there. What each answer of the
/// server means is decided by its <see cref="CommitJudge"/>; what the transfer is (its wire name, compressed or not,
/// its length) by its <see cref="TransferPlan"/>; when the replay buffer may drop bytes by its <see cref="ReplayRoom"/>. One
/// operation at a time; not thread-safe.
/// </summary>
internal sealed class UploadSession : IDisposable
{
    private readonly ClientCore _core;
    private readonly UploadOptions? _options;
    private readonly UploadSource _source;
    private readonly ReplayRoom? _room;
    private readonly CommitJudge _judge;
    private readonly UploadProgress _progress;
    private readonly OperationTelemetry _telemetry;
    private TransferPlan _plan;    // a compressed upload that starts again may take a new upload id

    private WriteCall? _call;
    private bool _finishSent;      // the open (or last) call carried finish_write
    private bool _failedBefore;    // the next call is a resume
    private bool _resumeDecided;   // after a failure: the judge said where to go on; otherwise ask QueryWriteStatus first
    private bool _sourceEnded;     // the source handed out its last byte
    private Exception? _refusal;   // a resumed call's refusal that the next QueryWriteStatus settles (see CommitJudge.OnRefusedResume)

    public UploadSession(ClientCore core, TransferPlan plan, UploadOptions? options, UploadSource data)
    {
        _core = core;
        _plan = plan;
        _options = options;
        (_source, var buffer) = UploadSources.Build(core, plan, data);
        _judge = CommitJudge.For(plan, core.Options.MaxRetryAttempts);
        _room = buffer is null ? null : new ReplayRoom(core, buffer, _judge, options?.Headers);
        _progress = new UploadProgress(options?.Progress, plan.Length);
        _telemetry = new OperationTelemetry("upload", plan.WireName, core.TimeProvider);
    }

    /// <summary>Gets the last committed size the server reported.</summary>
    public long CommittedSize => _judge.CommittedSize;

    /// <summary>Gets the bytes the source handed out so far, in the offsets of the wire.</summary>
    public long WirePosition => _source.Position;

    private long BytesSent { get; set; }

    private int Resumes { get; set; }

    /// <summary>Gets the name the calls use now (a compressed upload that starts again may take a new upload id).</summary>
    public string WireName => _plan.WireName;

    /// <summary>Uploads the whole source, resuming as often as the pipeline allows; returns the result.</summary>
    public async Task<UploadResult> RunAsync(CancellationToken cancellationToken)
    {
        _telemetry.Start();
        try
        {
            if (_options?.ResumeExistingUpload != true || await ResumeExistingAsync(cancellationToken).ConfigureAwait(false))
            {
                await ResumableStep.RunAsync(_core, WireName, this, static (s, ct) => s.AttemptAsync(ct), cancellationToken).ConfigureAwait(false);
            }

            // The server may hold the resource before the source ended: check it against what the caller's data turns out to be.
            if (!_sourceEnded && await _source.EndEarlyAsync(cancellationToken).ConfigureAwait(false) is { } end && _judge.CheckEnd(end) is { } mismatch)
            {
                throw mismatch;
            }
        }
        catch (Exception ex) when (RecordFailure(ex))
        {
            throw;
        }

        // A compressed blob's size is the uncompressed one, whatever form the server's committed size counted.
        var committed = _plan.Compressed ? _plan.Length!.Value : CommittedSize;
        Log.UploadCompleted(_core.Logger, WireName, committed, BytesSent, Resumes);
        _telemetry.Succeed(BytesSent, committed, Resumes);
        return new UploadResult(committed, BytesSent, Resumes)
        {
            CompressedSize = _plan.Compressed && _sourceEnded ? _source.Position : null,
        };
    }

    /// <summary>Ends the open call without finish_write, and gives back what the source holds: what the server committed stays resumable.</summary>
    public void Dispose()
    {
        if (_call is { } call)
        {
            Log.WriteAborted(_core.Logger, WireName, call.NextOffset);
            call.Cancel();
            EndCall();
        }

        _source.Dispose();
        _telemetry.Abandon(BytesSent, CommittedSize, Resumes);
    }

    /// <summary><see cref="UploadOptions.ResumeExistingUpload"/>: asks first, then skips what the server holds. Returns whether there is more to send.</summary>
    private async ValueTask<bool> ResumeExistingAsync(CancellationToken cancellationToken)
    {
        var decision = await ResumableStep.RunAsync(
            _core,
            WireName,
            this,
            static async (s, ct) => StepResult<CommitDecision>.Done(await s.QueryAsync(existing: true, ct).ConfigureAwait(false)),
            cancellationToken).ConfigureAwait(false);
        switch (decision.Verdict)
        {
            case CommitVerdict.Fail:
                throw decision.Error!;
            case CommitVerdict.Complete:
                return false;
        }

        TakeFreshUploadIdIfDecided(decision);
        await _source.MoveToAsync(decision.Offset, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>One attempt: (re)open the call where the server stands, send the rest of the source and finish.</summary>
    private async ValueTask<StepResult<bool>> AttemptAsync(CancellationToken cancellationToken)
    {
        if (_failedBefore && !_resumeDecided && _call is null)
        {
            // The query after the last failure failed too: ask again (its own failure is this attempt's).
            if (await FollowAsync(await QueryAsync(existing: false, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false) is { } result)
            {
                return result;
            }
        }

        // The failure is handled outside the try, so that what OnCallEndedAsync throws is not handled twice.
        Exception? failure = null;
        try
        {
            await SendAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_call is { } call && call.IsFailure(ex))
        {
            failure = ex;
        }

        return await OnCallEndedAsync(failure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends the rest of the source and finish_write, until the call ends; its outcome is read by <see cref="OnCallEndedAsync"/>.</summary>
    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        while (!_sourceEnded)
        {
            var fresh = _room is { } room && await room.BeforeNextAsync(WireName, _source.Position, _call, cancellationToken).ConfigureAwait(false);

            if (_call is { Ended: true })
            {
                // The server ended the call before the upload was finished: its status says why.
                return;
            }

            var chunk = await _source.NextAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.IsEnd)
            {
                _sourceEnded = true;
                break;
            }

            if (chunk.Data.IsEmpty)
            {
                // A flush point: every request goes out as it is sent, so there is nothing to push.
                continue;
            }

            if (_plan.WireLength is { } total && _source.Position > total)
            {
                throw ThrowHelper.LengthMismatch(_plan.ResourceName, total, _source.Position, CommittedSize);
            }

            var call = _call ??= Open(_source.Position - chunk.Data.Length);
            _judge.Sent(call.NextOffset + chunk.Data.Length);   // before the await: a failed send may still have reached the server
            BytesSent += chunk.Data.Length;
            Telemetry.DataSent.Add(chunk.Data.Length);
            await call.SendAsync(chunk.Data, finishWrite: false, cancellationToken).ConfigureAwait(false);
            _progress.Report(_source.CallerPosition);
            if (fresh)
            {
                _room!.Kept(WireName, chunk.Data.Length, cancellationToken);
            }
        }

        if (_call is { Ended: true })
        {
            return;
        }

        if (_judge.CheckEnd(_source.Position) is { } mismatch)
        {
            throw mismatch;
        }

        await (_call ??= Open(_source.Position)).FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    private WriteCall Open(long offset)
    {
        _resumeDecided = _finishSent = false;
        var call = new WriteCall(_core, WireName, _options?.Headers, offset);
        _telemetry.StartAttempt("write", offset);
        if (_failedBefore)
        {
            Resumes++;
            Telemetry.Resumes.Add(1);
            Log.WriteResumed(_core.Logger, WireName, offset, _source.Position);
        }
        else
        {
            Log.WriteStarting(_core.Logger, WireName, offset);
        }

        return call;
    }

    /// <summary>
    /// Reads how the call ended, lets the judge decide, and asks QueryWriteStatus when the upload must go on.
    /// Returns done, or interrupted after progress; throws a failure for the pipeline to count.
    /// </summary>
    private async ValueTask<StepResult<bool>> OnCallEndedAsync(Exception? error, CancellationToken cancellationToken)
    {
        var call = _call!;
        var outcome = await call.EndAsync(error, cancellationToken).ConfigureAwait(false);
        _finishSent = call.FinishSent;
        if (outcome.IsAlreadyExists)
        {
            Log.WriteCompletedEarly(_core.Logger, WireName, _plan.Length ?? _source.Position, StatusCode.AlreadyExists);
            _judge.OnAlreadyExists(_source.Position);
            EndCall();
            return StepResult<bool>.Done(true);
        }

        if (outcome.CommittedSize is { } committed)
        {
            var decision = _judge.OnWriteResponse(committed, _finishSent, _source.Position);
            if (decision.Verdict == CommitVerdict.Complete && !_finishSent)
            {
                Log.WriteCompletedEarly(_core.Logger, WireName, committed, StatusCode.OK);
            }

            if (decision.Verdict != CommitVerdict.AskStatus)
            {
                EndCall();
                return decision.Verdict == CommitVerdict.Complete ? StepResult<bool>.Done(true) : throw decision.Error!;
            }

            // The server ended the call with OK but not with the whole resource: QueryWriteStatus tells.
        }

        EndCall(outcome.Error);
        _failedBefore = true;
        var failure = outcome.Error is RpcException { StatusCode: var code } && _judge.OnRefusedResume(code, call.Start) ? null : outcome.Error;
        _refusal = failure is null ? outcome.Error : null;
        if (failure is not null && !RetryableStatus.IsRetryable(failure, cancellationToken))
        {
            throw Rethrow(failure);
        }

        // The query's own failure is this attempt's (and the next attempt asks again); no progress: a failure counts
        // against the budget, an early OK or a refused resume is none (the judge stops a server that repeats it).
        var next = await QueryAsync(existing: false, cancellationToken).ConfigureAwait(false);
        return await FollowAsync(next, outcome.Error, cancellationToken).ConfigureAwait(false)
            ?? (failure is not null ? throw Rethrow(failure) : StepResult<bool>.Interrupted(outcome.Error));
    }

    private static Exception Rethrow(Exception error)
    {
        ExceptionDispatchInfo.Throw(error);
        return error;
    }

    /// <summary>Follows a decision of the judge: done, interrupted after progress, or <see langword="null"/> to count a failure; throws a violation.</summary>
    private async ValueTask<StepResult<bool>?> FollowAsync(CommitDecision decision, Exception? cause, CancellationToken cancellationToken)
    {
        var refusal = _refusal;
        _refusal = null;
        switch (decision.Verdict)
        {
            case CommitVerdict.Complete:
                return StepResult<bool>.Done(true);
            case CommitVerdict.Fail:
                throw decision.Error!;
            case CommitVerdict.CallFailed:
                throw Rethrow(refusal!);
        }

        TakeFreshUploadIdIfDecided(decision);
        if (decision.Offset < _source.Position)
        {
            // Throws when the bytes are no longer held; from there on the source hands out every byte again.
            await _source.MoveToAsync(decision.Offset, cancellationToken).ConfigureAwait(false);
            _sourceEnded = false;
        }

        _resumeDecided = true;
        return decision.Progressed ? StepResult<bool>.Interrupted(cause) : null;
    }

    /// <summary>A compressed upload that restarts where the server keeps a partial one goes on under a new upload id (see <see cref="CommitJudge"/>).</summary>
    private void TakeFreshUploadIdIfDecided(CommitDecision decision)
    {
        if (decision.FreshUpload && _plan.WithNewUploadId() is var fresh && fresh != _plan)
        {
            Log.CompressedUploadRenamed(_core.Logger, WireName, fresh.WireName);
            _plan = fresh;
        }
    }

    /// <summary>Asks QueryWriteStatus where to continue and lets the judge decide; NOT_FOUND or UNIMPLEMENTED mean starting again at the first offset.</summary>
    private async ValueTask<CommitDecision> QueryAsync(bool existing, CancellationToken cancellationToken)
    {
        var answer = await WriteStatusQuery.AskAsync(_core, WireName, _options?.Headers, cancellationToken).ConfigureAwait(false);
        if (answer.Unknown is { } unknown)
        {
            Log.WriteStatusUnknown(_core.Logger, WireName, unknown.StatusCode);
            _room?.Heard(answer);
            return _judge.OnStatusUnknown();
        }

        Log.WriteStatusReceived(_core.Logger, WireName, answer.Status.CommittedSize, answer.Status.Complete);
        return existing ? _judge.OnExistingStatus(answer.Status) : _judge.OnStatus(answer.Status, _finishSent, _source.Position);
    }

    /// <summary>Records in telemetry that the upload failed; never handles the exception.</summary>
    private bool RecordFailure(Exception error)
    {
        _telemetry.Fail(error, BytesSent, CommittedSize, Resumes);
        return false;
    }

    private void EndCall(Exception? error = null)
    {
        if (_call is { } call)
        {
            _telemetry.EndAttempt(error, call.NextOffset - call.Start);
            call.Dispose();
            _call = null;
        }
    }
}
