using System.Runtime.ExceptionServices;
using Google.ByteStream;
using Bytestream.Client.Internal.Zstd;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// One upload, whatever its source: it sends the source's chunks at increasing offsets on one Write
/// call, finishes it, and after a failure asks where the server stands and resumes there, resending
/// from the source. What each answer of the server means is decided by its <see cref="CommitJudge"/>;
/// when the replay buffer may drop bytes is decided here. One operation at a time; not thread-safe.
/// </summary>
internal sealed class UploadSession : IDisposable
{
    private readonly ClientCore _core;
    private string _resourceName;  // the caller's, or a compressed upload's restart under a new upload id
    private readonly UploadOptions? _options;
    private readonly long? _totalLength;  // the caller's bytes, for progress
    private readonly long? _wireLength;   // the bytes on the wire, when known: the caller's, unless compressed
    private readonly UploadSource _source;
    private readonly CompressingUploadSource? _compressed;
    private readonly CommitJudge _judge;
    private readonly BackgroundStatusQuery _backgroundQuery;
    private readonly OperationTelemetry _telemetry;

    private AsyncClientStreamingCall<WriteRequest, WriteResponse>? _call;
    private CallCancellation? _callCancellation;
    private long _startOffset;     // where the first Write call starts: 0, or what an earlier process left committed
    private long _callOffset;      // write_offset of the next request on the open call
    private long _callStart;       // write_offset of the open call's first request
    private bool _finishSent;      // the open (or last) call carried finish_write
    private bool _failedBefore;    // the next call is a resume
    private long? _resumeAt;       // where the next call starts after a failure; null: ask QueryWriteStatus first
    private bool _sourceEnded;     // the source handed out its last byte
    private bool _cannotQuery;     // the server answered UNIMPLEMENTED: no background queries
    private long _keptSinceQuery;  // bytes kept for replay since the last background query
    private bool _sending;         // a request-stream operation is under way: whatever it throws is the call's failure

    public UploadSession(ClientCore core, string resourceName, UploadOptions? options, long? totalLength, UploadSource source)
    {
        _core = core;
        _resourceName = resourceName;
        _options = options;
        _totalLength = totalLength;
        _source = source;
        _compressed = source as CompressingUploadSource;
        _wireLength = _compressed is null ? totalLength : null;
        _judge = new CommitJudge(resourceName, _wireLength, core.Options.MaxRetryAttempts, restartsOnly: _compressed is not null);
        _backgroundQuery = new BackgroundStatusQuery(core, resourceName, options?.Headers);
        _telemetry = new OperationTelemetry("upload", resourceName, core.TimeProvider);
    }

    /// <summary>Gets the last committed size the server reported.</summary>
    public long CommittedSize => _judge.CommittedSize;

    private long BytesSent { get; set; }

    private int Resumes { get; set; }

    private int ChunkSize => _core.Options.ChunkSize;

    /// <summary>Gets whether the open call has its status: nothing sent on it can arrive any more.</summary>
    private bool CallEnded => _call is { ResponseAsync.IsCompleted: true };

    /// <summary>Uploads the whole source, resuming as often as the pipeline allows; returns the result.</summary>
    public async Task<UploadResult> RunAsync(CancellationToken cancellationToken)
    {
        _telemetry.Start();
        try
        {
            if (_options?.ResumeExistingUpload != true || await ResumeExistingAsync(cancellationToken).ConfigureAwait(false))
            {
                await ResumableStep.RunAsync(_core, _resourceName, this, static (s, ct) => s.AttemptAsync(ct), cancellationToken).ConfigureAwait(false);
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
        var committed = _compressed is null ? CommittedSize : _totalLength!.Value;
        Log.UploadCompleted(_core.Logger, _resourceName, committed, BytesSent, Resumes);
        _telemetry.Succeed(BytesSent, committed, Resumes);
        return new UploadResult(committed, BytesSent, Resumes)
        {
            CompressedSize = _compressed?.CompressedLength,
        };
    }

    /// <summary>Ends the open call without finish_write, and gives back what the source holds: what the server committed stays resumable.</summary>
    public void Dispose()
    {
        if (_call is not null)
        {
            Log.WriteAborted(_core.Logger, _resourceName, _callOffset);
            _callCancellation!.Cancel();
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
            _resourceName,
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
        await _source.SkipAsync(decision.Offset, cancellationToken).ConfigureAwait(false);
        _startOffset = decision.Offset;
        return true;
    }

    /// <summary>One attempt: (re)open the call where the server stands, send the rest of the source and finish.</summary>
    private async ValueTask<StepResult<bool>> AttemptAsync(CancellationToken cancellationToken)
    {
        if (_call is null && _failedBefore && _resumeAt is null)
        {
            // The query after the last failure failed too: ask again (its own failure is this attempt's).
            var decision = await QueryAsync(existing: false, cancellationToken).ConfigureAwait(false);
            if (Follow(decision) is { } result)
            {
                return result;
            }
        }

        // The failure is handled outside the try, so that what OnCallEndedAsync throws is not handled twice.
        Exception? failure = null;
        try
        {
            if (_failedBefore)
            {
                // A resume opens at once and resends what the server lacks; a first call waits for its first chunk.
                _call ??= await OpenCallAsync(_source.Position, cancellationToken).ConfigureAwait(false);
            }

            await SendAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsCallFailure(ex))
        {
            failure = ex;
        }

        return await OnCallEndedAsync(failure, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a Write call where the server stands and resends what it lacks, up to <paramref name="replayTo"/>.</summary>
    private async ValueTask<AsyncClientStreamingCall<WriteRequest, WriteResponse>> OpenCallAsync(long replayTo, CancellationToken cancellationToken)
    {
        var offset = _failedBefore ? _resumeAt!.Value : _startOffset;
        _resumeAt = null;
        _finishSent = false;
        var cancellation = _callCancellation = new CallCancellation(_core.Options);
        var call = _call = _core.Stub.Write(new CallOptions(headers: _options?.Headers, cancellationToken: cancellation.Token));

        // A request-stream write never outlives its call: once the status arrives, a send that waits for the
        // server (for flow control it will never grant) ends, and the status is handled like any other cut.
        _ = call.ResponseAsync.ContinueWith(
            static (response, state) =>
            {
                _ = response.Exception;
                ((CallCancellation)state!).Cancel();
            },
            cancellation,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        _callOffset = _callStart = offset;
        _telemetry.StartAttempt("write", offset);
        if (_failedBefore)
        {
            Resumes++;
            Telemetry.Resumes.Add(1);
            Log.WriteResumed(_core.Logger, _resourceName, offset, _source.Position);
        }
        else
        {
            Log.WriteStarting(_core.Logger, _resourceName, offset);
        }

        if (offset < replayTo)
        {
            await _source.ReplayAsync(offset, replayTo, (chunk, ct) => WriteRequestAsync(chunk, finishWrite: false, ct), cancellationToken).ConfigureAwait(false);
        }

        return call;
    }

    /// <summary>Sends the rest of the source and finish_write, until the call ends; its outcome is read by <see cref="OnCallEndedAsync"/>.</summary>
    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        while (!_sourceEnded)
        {
            if (_source.Buffer is { } buffer && buffer.NeedsRoom(ChunkSize))
            {
                await MakeRoomAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            if (CallEnded)
            {
                // The server ended the call before the upload was finished: its status says why.
                return;
            }

            var chunk = await _source.NextAsync(cancellationToken).ConfigureAwait(false);
            if (chunk.IsEmpty)
            {
                _sourceEnded = true;
                break;
            }

            if (_wireLength is { } total && _source.Position > total)
            {
                throw ThrowHelper.LengthMismatch(_resourceName, total, _source.Position, CommittedSize);
            }

            _call ??= await OpenCallAsync(_source.Position - chunk.Length, cancellationToken).ConfigureAwait(false);
            await WriteRequestAsync(chunk, finishWrite: false, cancellationToken).ConfigureAwait(false);
            StartBackgroundQueryIfDue(chunk.Length, cancellationToken);
        }

        if (CallEnded)
        {
            return;
        }

        if ((_judge.CheckEnd(_source.Position) ?? _source.CheckContent()) is { } mismatch)
        {
            throw mismatch;
        }

        // Close the request stream right after finish_write: Google's server ends the call only then.
        var call = _call ??= await OpenCallAsync(_source.Position, cancellationToken).ConfigureAwait(false);
        _finishSent = true;
        await WriteRequestAsync(ReadOnlyMemory<byte>.Empty, finishWrite: true, cancellationToken).ConfigureAwait(false);
        using (_callCancellation!.Link(cancellationToken))
        {
            _callCancellation.Arm();
            _sending = true;
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            _sending = false;
            await call.ResponseAsync.ConfigureAwait(false);
        }
    }

    private async ValueTask WriteRequestAsync(ReadOnlyMemory<byte> data, bool finishWrite, CancellationToken cancellationToken)
    {
        // resource_name on every request: the spec allows it and Google's own server requires it.
        // UnsafeWrap is safe: the chunk is not reused before WriteAsync has serialized it.
        var request = new WriteRequest
        {
            ResourceName = _resourceName,
            WriteOffset = _callOffset,
            FinishWrite = finishWrite,
            Data = data.IsEmpty ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(data),
        };

        // Counted as sent before the await: a failed send may still have reached the server.
        _judge.Sent(_callOffset + data.Length);
        BytesSent += data.Length;
        Telemetry.DataSent.Add(data.Length);
        using (_callCancellation!.Link(cancellationToken))
        {
            _callCancellation.Arm();
            _sending = true;
            await _call!.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            _sending = false;
            _callCancellation.Pause();
        }

        _callOffset += data.Length;

        // Replayed chunks too: a resumed attempt's progress rises from where the server stood to the end.
        if (!data.IsEmpty)
        {
            _options?.Progress?.Report(new TransferProgress(_source.UncompressedAt(_callOffset), _totalLength));
        }
    }

    /// <summary>
    /// Reads how the call ended (its own status says more than a failed send: the server may have ended
    /// it on purpose), lets the judge decide, and asks QueryWriteStatus when the upload must go on.
    /// Returns done, or interrupted after progress; throws a failure for the pipeline to count.
    /// </summary>
    private async ValueTask<StepResult<bool>> OnCallEndedAsync(Exception? error, CancellationToken cancellationToken)
    {
        var call = _call!;
        var cancellation = _callCancellation!;
        var endedWithOk = false;
        _sending = false;
        error = error is null ? null : cancellation.Translate(error, cancellationToken);

        // A send that failed on this side (grpc-dotnet's RESOURCE_EXHAUSTED for a message over the channel's
        // MaxSendMessageSize) leaves the call open with nothing to end it: end it, and keep that error.
        var failedLocally = error is RpcException { StatusCode: StatusCode.ResourceExhausted }
            && !call.ResponseAsync.IsCompleted && !cancellation.Token.IsCancellationRequested;
        if (failedLocally)
        {
            cancellation.Cancel();
        }

        // Unless the caller cancelled, the call's own status says what happened, even when the send it
        // ended was cancelled: the server may have ended the call on purpose.
        if (!cancellationToken.IsCancellationRequested && (error is not OperationCanceledException || call.ResponseAsync.IsCompleted))
        {
            try
            {
                WriteResponse response;
                using (cancellation.Link(cancellationToken))
                {
                    cancellation.Arm();
                    response = await call.ResponseAsync.ConfigureAwait(false);
                }

                var decision = _judge.OnWriteResponse(response.CommittedSize, _finishSent, _source.Position);
                if (decision.Verdict == CommitVerdict.Complete && !_finishSent)
                {
                    Log.WriteCompletedEarly(_core.Logger, _resourceName, response.CommittedSize, StatusCode.OK);
                }

                if (decision.Verdict != CommitVerdict.AskStatus)
                {
                    EndCall();
                    return decision.Verdict == CommitVerdict.Complete ? StepResult<bool>.Done(true) : throw decision.Error!;
                }

                // The server ended the call with OK but not with the whole resource: QueryWriteStatus tells.
                endedWithOk = true;
                error = null;
            }
            catch (RpcException status) when (status.StatusCode == StatusCode.AlreadyExists)
            {
                Log.WriteCompletedEarly(_core.Logger, _resourceName, _totalLength ?? _source.Position, StatusCode.AlreadyExists);
                _judge.OnAlreadyExists(_source.Position);
                EndCall();
                return StepResult<bool>.Done(true);
            }
            catch (RpcException status) when (!failedLocally)
            {
                error = cancellation.Translate(status, cancellationToken);
            }
            catch (RpcException)
            {
                // The cancellation that ended the call: the send's own error says what went wrong.
            }
        }

        if (error is null && !endedWithOk && cancellationToken.IsCancellationRequested)
        {
            // The caller cancelled as a send completed, so the send loop found the call ended with no error of
            // its own: the cancellation is the outcome.
            error = new OperationCanceledException(cancellationToken);
        }

        EndCall(error);
        _failedBefore = true;
        if (!endedWithOk && !RetryableStatus.IsRetryable(error, cancellationToken))
        {
            ExceptionDispatchInfo.Throw(error!);
        }

        CommitDecision? next = null;
        try
        {
            next = await QueryAsync(existing: false, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException probe) when (RetryableStatus.IsRetryable(probe, cancellationToken) && error is not null)
        {
            // The server is still unreachable: the call's failure counts, and the next attempt asks again.
        }

        // No progress: a failure counts against the budget; an early OK is no failure (the judge stops a server that repeats it).
        return Follow(next ?? throw Rethrow(error!), error)
            ?? (error is null ? StepResult<bool>.Interrupted(null) : throw Rethrow(error));
    }

    private static Exception Rethrow(Exception error)
    {
        ExceptionDispatchInfo.Throw(error);
        return error;
    }

    /// <summary>Follows a decision of the judge: done, interrupted after progress, or <see langword="null"/> to count a failure; throws a violation.</summary>
    private StepResult<bool>? Follow(CommitDecision decision, Exception? cause = null)
    {
        switch (decision.Verdict)
        {
            case CommitVerdict.Complete:
                return StepResult<bool>.Done(true);
            case CommitVerdict.Fail:
                throw decision.Error!;
        }

        // A source that no longer holds the bytes may still start again from the beginning (a compressed upload's fresh frame).
        if (decision.Offset < _source.HeldFrom && decision.Offset < _source.Position)
        {
            if (!(decision.Offset == 0 && _source.TryRestart()))
            {
                throw ThrowHelper.CannotResume(_resourceName, decision.Offset, _source.HeldFrom);
            }

            // Started again, it hands out every byte again: a frame that had ended in the failed attempt must be sent anew.
            _sourceEnded = false;
        }

        TakeFreshUploadIdIfDecided(decision);
        _resumeAt = decision.Offset;
        return decision.Progressed ? StepResult<bool>.Interrupted(cause) : null;
    }

    /// <summary>A compressed upload that restarts where the server keeps a partial one goes on under a new upload id (see <see cref="CommitJudge"/>).</summary>
    private void TakeFreshUploadIdIfDecided(CommitDecision decision)
    {
        if (decision.FreshUpload && CompressedNames.WithNewUploadId(_resourceName) is { } fresh)
        {
            Log.CompressedUploadRenamed(_core.Logger, _resourceName, fresh);
            _resourceName = fresh;
        }
    }

    /// <summary>
    /// Asks QueryWriteStatus where to continue and lets the judge decide; NOT_FOUND or UNIMPLEMENTED
    /// (a server that cannot resume) mean starting again at the first offset.
    /// </summary>
    private async ValueTask<CommitDecision> QueryAsync(bool existing, CancellationToken cancellationToken)
    {
        WriteStatus status;
        try
        {
            status = await WriteStatusQuery.QueryAsync(_core, _resourceName, _options?.Headers, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unimplemented)
        {
            Log.WriteStatusUnknown(_core.Logger, _resourceName, ex.StatusCode);
            _cannotQuery |= ex.StatusCode == StatusCode.Unimplemented;
            return _judge.OnStatusUnknown();
        }

        Log.WriteStatusReceived(_core.Logger, _resourceName, status.CommittedSize, status.Complete);
        return existing ? _judge.OnExistingStatus(status) : _judge.OnStatus(status, _finishSent, _source.Position);
    }

    /// <summary>Once the replay buffer is half full, asks in the background what the server committed, to have the answer ready when it is full.</summary>
    private void StartBackgroundQueryIfDue(int kept, CancellationToken cancellationToken)
    {
        if (_source.Buffer is not { KeepsNothing: false } buffer || _cannotQuery || _judge.RestartsOnly)
        {
            return;
        }

        // Spaced out, so a server that commits late is not asked on every chunk.
        _keptSinceQuery += kept;
        if (buffer.Held >= buffer.MaxBytes / 2 && _keptSinceQuery >= buffer.MaxBytes / 4)
        {
            _keptSinceQuery = 0;
            _backgroundQuery.Start(_judge.Epoch, cancellationToken);
        }
    }

    /// <summary>
    /// The replay buffer is full: drops what the server committed (the background answer, or a fresh one),
    /// and if that is not enough, the oldest bytes: the upload goes on, but cannot resume before them.
    /// Nothing is dropped while the call is known to have ended: its resume may need it all.
    /// </summary>
    private async ValueTask MakeRoomAsync(ReplayBuffer buffer, CancellationToken cancellationToken)
    {
        // A compressed upload restarts at 0 whatever the server committed: asking would not free a byte.
        if (!buffer.KeepsNothing && !_judge.RestartsOnly)
        {
            var (status, epoch) = await _backgroundQuery.TakeAsync().ConfigureAwait(false);
            if (status is null && !_cannotQuery && !CallEnded)
            {
                (status, epoch) = (await QueryHintAsync(cancellationToken).ConfigureAwait(false), _judge.Epoch);
            }

            if (status is { } answer)
            {
                var decision = _judge.OnBackgroundStatus(answer, epoch);
                buffer.Release(decision.Verdict == CommitVerdict.Fail ? throw decision.Error! : decision.Offset, _source.Position);
            }
        }

        if (buffer.NeedsRoom(ChunkSize) && !CallEnded)
        {
            var heldFrom = buffer.MakeRoom(_source.Position);
            if (!buffer.KeepsNothing)
            {
                Log.ReplayBufferDropped(_core.Logger, _resourceName, CommittedSize, heldFrom);
            }
        }
    }

    /// <summary>A QueryWriteStatus, with retries, whose failure only means no answer.</summary>
    private async ValueTask<WriteStatus?> QueryHintAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ResumableStep.RunAsync(
                _core,
                _resourceName,
                this,
                static async (s, ct) => StepResult<WriteStatus?>.Done(
                    await WriteStatusQuery.QueryAsync(s._core, s._resourceName, s._options?.Headers, ct).ConfigureAwait(false)),
                cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            _cannotQuery |= ex.StatusCode == StatusCode.Unimplemented;
            return null;
        }
    }

    /// <summary>Records in telemetry that the upload failed; never handles the exception.</summary>
    private bool RecordFailure(Exception error)
    {
        _telemetry.Fail(error, BytesSent, CommittedSize, Resumes);
        return false;
    }

    private void EndCall(Exception? error = null)
    {
        if (_call is not null)
        {
            _telemetry.EndAttempt(error, _callOffset - _callStart);
        }

        _call?.Dispose();
        _callCancellation?.Dispose();
        _call = null;
        _callCancellation = null;
    }

    /// <summary>
    /// A failure of the open call: its status, the cancellation that ended it, or anything a request-stream
    /// operation throws (a write after the call completed, the transport under it: a stream reset by a proxy,
    /// a dropped connection, the request aborted when the call's status arrived).
    /// </summary>
    private bool IsCallFailure(Exception ex) =>
        _call is not null && (ex is RpcException or OperationCanceledException || _sending);
}
