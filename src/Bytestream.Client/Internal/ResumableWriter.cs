using System.Runtime.ExceptionServices;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The resumable Write of one upload, shared by every upload path. Chunks go out at increasing
/// offsets on one Write call. After a retryable failure it asks QueryWriteStatus where the server
/// stands, opens a new call there and resends what the server lacks from its <see cref="ReplaySource"/>.
/// One operation at a time; not thread-safe.
/// </summary>
internal sealed class ResumableWriter : IDisposable
{
    private readonly ClientCore _core;
    private readonly string _resourceName;
    private readonly Metadata? _headers;
    private readonly IProgress<TransferProgress>? _progress;
    private readonly long? _totalLength;
    private readonly long? _compressedUploadSize;
    private readonly bool _isCompressedUpload;
    private readonly long _startOffset;
    private readonly ReplaySource _replay;
    private readonly BackgroundStatusQuery _statusQuery;
    private readonly RetryBudget _budget = new();
    private readonly OperationTelemetry _telemetry;

    private AsyncClientStreamingCall<WriteRequest, WriteResponse>? _call;
    private CallCancellation? _callCancellation;
    private long _callOffset;       // write_offset of the next request on the open call
    private long _callStart;        // write_offset of the open call's first request
    private long _sentEnd;          // the end of the highest range ever put on the wire
    private bool _failedBefore;     // the next call is a resume
    private long? _resumeOffset;    // where the server stood after the last failure; null: ask first
    private long _progressMark;     // committed size at the last progress check
    private long _lastReported;     // last committed size QueryWriteStatus reported, for the going-backwards check
    private long _retainedSinceQuery; // bytes kept for replay since the last background QueryWriteStatus
    private long? _wrongFinalSize;  // an answer to finish_write that was not the length written, until QueryWriteStatus explains it
    private bool _complete;

    public ResumableWriter(ClientCore core, string resourceName, UploadOptions? options, long? totalLength, ReplaySource replay, long startOffset)
    {
        _core = core;
        _resourceName = resourceName;
        _headers = options?.Headers;
        _progress = options?.Progress;
        _totalLength = totalLength;
        _replay = replay;
        _statusQuery = new BackgroundStatusQuery(core, resourceName, _headers);
        _telemetry = new OperationTelemetry("upload", resourceName, core.TimeProvider);
        _startOffset = startOffset;
        Position = _sentEnd = _progressMark = _lastReported = CommittedSize = startOffset;
        if (BlobResourceName.TryParse(resourceName, out var blob) && blob.Compressor is not null)
        {
            _isCompressedUpload = true;
            _compressedUploadSize = blob.Size;
        }
    }

    /// <summary>The offset of the next byte handed to <see cref="SendAsync"/>.</summary>
    public long Position { get; private set; }

    /// <summary>The last committed size the server reported.</summary>
    public long CommittedSize { get; private set; }

    public long BytesSent { get; private set; }

    public int Resumes { get; private set; }

    /// <summary>Whether the server holds the whole resource: finished by us, or already there (stop sending).</summary>
    public bool IsComplete => _complete;

    /// <summary>Sends <paramref name="data"/>, the bytes at <see cref="Position"/>, resuming as often as the pipeline allows.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        _telemetry.Start();
        try
        {
            if (_totalLength is { } total && Position + data.Length > total)
            {
                throw ThrowHelper.LengthMismatch(_resourceName, total, Position + data.Length, CommittedSize);
            }

            if (!_complete)
            {
                await ResumableStep.RunAsync(
                    _core,
                    _resourceName,
                    (Writer: this, Data: data),
                    static (s, ct) => s.Writer.SendAttemptAsync(s.Data, ct),
                    cancellationToken,
                    _budget).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RecordFailure(ex))
        {
            throw;
        }

        Position += data.Length;
        _progress?.Report(new TransferProgress(Position, _totalLength));
    }

    /// <summary>
    /// Hands a pooled chunk that was just sent to the replay source. Once the replay buffer is half full
    /// a QueryWriteStatus runs alongside the upload, and what the server committed is dropped; when the
    /// buffer is full the client waits for that answer, and drops the oldest bytes if the server has not
    /// committed them. Returns whether the chunk was taken.
    /// </summary>
    public async ValueTask<bool> RetainAsync(byte[] chunk, int length, CancellationToken cancellationToken)
    {
        if (!_complete && (_replay.ShouldTrim || _replay.WouldOverflow(length)))
        {
            var full = _replay.WouldOverflow(length);
            if (full)
            {
                _statusQuery.Start(Resumes, cancellationToken);
            }

            var status = await _statusQuery.TakeAsync(Resumes, wait: full).ConfigureAwait(false);
            if (status is { Complete: false } answer && answer.CommittedSize <= _sentEnd)
            {
                CommittedSize = Math.Max(CommittedSize, answer.CommittedSize);
                _replay.Release(answer.CommittedSize);
            }

            // Nothing is dropped while the call is known to have ended: the resume may need it all.
            if (_replay.WouldOverflow(length) && _call is not { ResponseAsync.IsCompleted: true })
            {
                // Without a usable answer (a failure, a resume meanwhile, or completion), ask again, with retries.
                var committed = status is { Complete: false } ? CommittedSize : await ResumableStep.RunAsync(
                    _core,
                    _resourceName,
                    this,
                    static async (writer, ct) => StepResult<long?>.Done(await writer.QueryCommittedAsync(finishing: false, ct).ConfigureAwait(false)),
                    cancellationToken).ConfigureAwait(false) ?? 0;
                _replay.Release(committed);
                if (_replay.WouldOverflow(length))
                {
                    Log.ReplayBufferDropped(_core.Logger, _resourceName, committed, _replay.MakeRoom());
                }
            }
            else if (_replay.ShouldTrim && !_complete && _retainedSinceQuery >= _core.Options.MaxReplayBufferSize / 4)
            {
                // Spaced out, so a server that commits late is not asked on every chunk.
                _retainedSinceQuery = 0;
                _statusQuery.Start(Resumes, cancellationToken);
            }
        }

        _retainedSinceQuery += length;
        return _replay.TryRetain(chunk, length);
    }

    /// <summary>Sends finish_write and checks the committed size; returns the result of the upload.</summary>
    public async ValueTask<UploadResult> CompleteAsync(CancellationToken cancellationToken)
    {
        _telemetry.Start();
        try
        {
            if (!_complete)
            {
                if (_totalLength is { } total && Position != total)
                {
                    throw ThrowHelper.LengthMismatch(_resourceName, total, Position, CommittedSize);
                }

                await ResumableStep.RunAsync(
                    _core,
                    _resourceName,
                    this,
                    static (writer, ct) => writer.FinishAttemptAsync(ct),
                    cancellationToken,
                    _budget).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RecordFailure(ex))
        {
            throw;
        }

        Log.UploadCompleted(_core.Logger, _resourceName, CommittedSize, BytesSent, Resumes);
        _telemetry.Succeed(BytesSent, CommittedSize, Resumes);
        return new UploadResult(CommittedSize, BytesSent, Resumes);
    }

    /// <summary>Ends the open call without finish_write: what the server committed stays resumable.</summary>
    public void Abort()
    {
        if (_call is not null)
        {
            Log.WriteAborted(_core.Logger, _resourceName, _callOffset);
            _callCancellation!.Cancel();
            EndCall();
        }
    }

    public void Dispose()
    {
        Abort();
        _replay.Clear();
        _telemetry.Abandon(BytesSent, CommittedSize, Resumes);
    }

    private async ValueTask<StepResult<bool>> SendAttemptAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        // The failure is handled outside the try, so that what OnAttemptFailedAsync throws is not handled twice.
        Exception? failure = null;
        try
        {
            if (_call is not { ResponseAsync.IsCompleted: true })
            {
                if (await OpenCallAsync(cancellationToken).ConfigureAwait(false))
                {
                    // A resume may start inside this chunk when the failed call had sent part of it.
                    await WriteRequestAsync(data[(int)(_callOffset - Position)..], finishWrite: false, cancellationToken).ConfigureAwait(false);
                }

                return StepResult<bool>.Done(true);
            }
        }
        catch (Exception ex) when (IsCallFailure(ex))
        {
            failure = ex;
        }

        return await OnAttemptFailedAsync(failure ?? EndedEarly(), finishing: false, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<StepResult<bool>> FinishAttemptAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            if (_call is not { ResponseAsync.IsCompleted: true })
            {
                if (await OpenCallAsync(cancellationToken).ConfigureAwait(false))
                {
                    await FinishCallAsync(cancellationToken).ConfigureAwait(false);
                }

                return StepResult<bool>.Done(true);
            }
        }
        catch (Exception ex) when (IsCallFailure(ex))
        {
            failure = ex;
        }

        return await OnAttemptFailedAsync(failure ?? EndedEarly(), finishing: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends finish_write on the open call, closes the request stream and checks the answer.</summary>
    private async ValueTask FinishCallAsync(CancellationToken cancellationToken)
    {
        await WriteRequestAsync(ReadOnlyMemory<byte>.Empty, finishWrite: true, cancellationToken).ConfigureAwait(false);
        WriteResponse response;
        using (_callCancellation!.Link(cancellationToken))
        {
            // Close the request stream right after finish_write: Google's server ends the call only then.
            _callCancellation.Arm();
            try
            {
                await _call!.RequestStream.CompleteAsync().ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw TransportFailure(ex);
            }

            response = await _call.ResponseAsync.ConfigureAwait(false);
        }

        if (!IsWholeResource(response.CommittedSize, finishing: true))
        {
            // Either the server ended the call early, before it saw finish_write (it has not finished:
            // resume), or it finished and reports a wrong size (a protocol violation). QueryWriteStatus tells.
            _wrongFinalSize = response.CommittedSize;
            throw new RpcException(new Status(StatusCode.Aborted,
                $"The Write of '{_resourceName}' ended with committed_size {response.CommittedSize}, not the {Position} bytes written."));
        }

        AcceptCompletion(response.CommittedSize, finishing: true);
    }

    /// <summary>Opens a call at the offset the server expects and resends what it lacks; false when the server already has everything.</summary>
    private async ValueTask<bool> OpenCallAsync(CancellationToken cancellationToken)
    {
        if (_call is not null)
        {
            return true;
        }

        var offset = _startOffset;
        if (_failedBefore)
        {
            var known = _resumeOffset ?? await QueryCommittedAsync(finishing: false, cancellationToken).ConfigureAwait(false);
            _resumeOffset = null;
            if (_complete || known is not { } committed)
            {
                return false;
            }

            offset = committed;
            if (offset > _progressMark)
            {
                // The server committed more since the failure than it said then: that is progress too.
                _progressMark = offset;
                _budget.Progressed();
            }

            if (offset < _replay.Start && offset < Position)
            {
                throw ThrowHelper.CannotResume(_resourceName, offset, _replay.Start);
            }
        }

        _wrongFinalSize = null;
        _callCancellation = new CallCancellation(_core.Options);
        _call = _core.Stub.Write(new CallOptions(headers: _headers, cancellationToken: _callCancellation.Token));
        _callOffset = _callStart = offset;
        _telemetry.StartAttempt("write", offset);
        if (_failedBefore)
        {
            Resumes++;
            Telemetry.Resumes.Add(1);
            Log.WriteResumed(_core.Logger, _resourceName, offset, Position);
        }
        else
        {
            Log.WriteStarting(_core.Logger, _resourceName, offset);
        }

        if (offset < Position)
        {
            await _replay.ReplayAsync(offset, Position, _core.Options.ChunkSize,
                (chunk, ct) => WriteRequestAsync(chunk, finishWrite: false, ct), cancellationToken).ConfigureAwait(false);
        }

        return true;
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
        _sentEnd = Math.Max(_sentEnd, _callOffset + data.Length);
        BytesSent += data.Length;
        Telemetry.DataSent.Add(data.Length);
        using (_callCancellation!.Link(cancellationToken))
        {
            _callCancellation.Arm();
            try
            {
                await _call!.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw TransportFailure(ex);
            }

            _callCancellation.Pause();
        }

        _callOffset += data.Length;
    }

    /// <summary>
    /// Decides what a failed attempt means: the server finishing early (success), a failure after
    /// progress (resume with a fresh budget), or a failure to count and retry, or to throw.
    /// </summary>
    private async ValueTask<StepResult<bool>> OnAttemptFailedAsync(Exception error, bool finishing, CancellationToken cancellationToken)
    {
        _failedBefore = true;
        _resumeOffset = null;
        if (_call is { } call)
        {
            error = _callCancellation!.Translate(error, cancellationToken);

            // A send that failed on this side (grpc-dotnet's RESOURCE_EXHAUSTED for a message over the channel's
            // MaxSendMessageSize) leaves the call open with nothing to end it: end it, and keep that error.
            var failedLocally = error is RpcException { StatusCode: StatusCode.ResourceExhausted }
                && !call.ResponseAsync.IsCompleted && !_callCancellation.Token.IsCancellationRequested;
            if (failedLocally)
            {
                _callCancellation.Cancel();
            }

            if (error is not OperationCanceledException)
            {
                // The call's own outcome says more than a failed send: the server may have ended it on purpose.
                try
                {
                    using (_callCancellation.Link(cancellationToken))
                    {
                        _callCancellation.Arm();
                        var response = await call.ResponseAsync.ConfigureAwait(false);
                        if (IsWholeResource(response.CommittedSize, finishing))
                        {
                            Log.WriteCompletedEarly(_core.Logger, _resourceName, response.CommittedSize, StatusCode.OK);
                            AcceptCompletion(response.CommittedSize, finishing);
                            return StepResult<bool>.Done(true);
                        }

                        error = new RpcException(new Status(StatusCode.Aborted,
                            $"The server ended the Write of '{_resourceName}' with OK and committed_size {response.CommittedSize} before it was finished."));
                    }
                }
                catch (RpcException status) when (status.StatusCode == StatusCode.AlreadyExists)
                {
                    Log.WriteCompletedEarly(_core.Logger, _resourceName, _totalLength ?? Position, StatusCode.AlreadyExists);
                    CommittedSize = _totalLength ?? Position;
                    _complete = true;
                    EndCall();
                    return StepResult<bool>.Done(true);
                }
                catch (RpcException status) when (!failedLocally)
                {
                    error = _callCancellation.Translate(status, cancellationToken);
                }
                catch (RpcException)
                {
                    // The cancellation that ended the call: the send's own error says what went wrong.
                }
            }

            EndCall(error);
        }

        if (!RetryableStatus.IsRetryable(error, cancellationToken))
        {
            ExceptionDispatchInfo.Throw(error);
        }

        try
        {
            _resumeOffset = await QueryCommittedAsync(finishing, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException probe) when (RetryableStatus.IsRetryable(probe, cancellationToken))
        {
            // The server is still unreachable: the next attempt asks again.
            _budget.Failed();
            ExceptionDispatchInfo.Throw(error);
        }

        if (_complete)
        {
            return StepResult<bool>.Done(true);
        }

        if (_resumeOffset > _progressMark)
        {
            _progressMark = _resumeOffset.Value;
            _budget.Progressed();
            return StepResult<bool>.Interrupted(error);
        }

        _budget.Failed();
        ExceptionDispatchInfo.Throw(error);
        return default;
    }

    /// <summary>
    /// Asks QueryWriteStatus where to continue: the committed size; the first offset when the server
    /// has nothing or cannot say (NOT_FOUND, UNIMPLEMENTED); <see langword="null"/> when it has the whole resource.
    /// </summary>
    private async ValueTask<long?> QueryCommittedAsync(bool finishing, CancellationToken cancellationToken)
    {
        WriteStatus status;
        try
        {
            status = await WriteStatusQuery.QueryAsync(_core, _resourceName, _headers, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unimplemented)
        {
            Log.WriteStatusUnknown(_core.Logger, _resourceName, ex.StatusCode);
            return 0;
        }

        Log.WriteStatusReceived(_core.Logger, _resourceName, status.CommittedSize, status.Complete);
        if (status.Complete)
        {
            AcceptCompletion(status.CommittedSize, finishing);
            return null;
        }

        if (status.CommittedSize < 0 || status.CommittedSize > _sentEnd)
        {
            throw ThrowHelper.CommittedBeyondSent(_resourceName, status.CommittedSize, _sentEnd);
        }

        if (status.CommittedSize < _lastReported)
        {
            throw ThrowHelper.CommittedWentBackwards(_resourceName, status.CommittedSize, _lastReported);
        }

        _lastReported = CommittedSize = status.CommittedSize;
        _replay.Release(status.CommittedSize);
        return status.CommittedSize;
    }

    /// <summary>Whether a committed size the server reported before finish_write means it holds the whole resource.</summary>
    private bool IsWholeResource(long committedSize, bool finishing) =>
        committedSize == -1
        || committedSize == WrittenLength(finishing)
        || (_isCompressedUpload && committedSize == _compressedUploadSize);

    /// <summary>The length of the whole upload when it is known: the expected total, or the position once finishing.</summary>
    private long? WrittenLength(bool finishing) => _totalLength ?? (finishing ? Position : null);

    /// <summary>
    /// Records that the server holds the whole resource, after checking the size it reports: the length
    /// written, or -1, which REAPI servers answer for a blob that already exists (an early end of the
    /// call can race with our finish_write, so it may come as the answer to it).
    /// </summary>
    private void AcceptCompletion(long committedSize, bool finishing)
    {
        var written = WrittenLength(finishing);
        if (_wrongFinalSize is { } reported)
        {
            // The server holds the whole resource, yet answered finish_write with another size.
            throw ThrowHelper.WrongFinalSize(_resourceName, reported, written ?? Position);
        }

        if (written is not null && !IsWholeResource(committedSize, finishing))
        {
            throw ThrowHelper.WrongFinalSize(_resourceName, committedSize, written!.Value);
        }

        CommittedSize = committedSize;
        _complete = true;
        EndCall();
    }

    /// <summary>Records in telemetry that the current upload step failed; never handles the exception.</summary>
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

    private bool IsCallFailure(Exception ex) =>
        ex is RpcException or OperationCanceledException || (ex is InvalidOperationException && _call is not null);

    /// <summary>
    /// The request stream's transport failed under the call (a stream reset by a proxy or an overloaded server,
    /// a dropped connection): a failed call like any other, whose own status, read next, says what it means.
    /// </summary>
    private RpcException TransportFailure(IOException error) =>
        new(new Status(StatusCode.Unavailable, $"The connection under the Write of '{_resourceName}' failed: {error.Message}", error));

    private RpcException EndedEarly() =>
        new(new Status(StatusCode.Unknown, $"The server ended the Write of '{_resourceName}' before it was finished."));
}
