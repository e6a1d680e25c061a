using System.Runtime.ExceptionServices;
using Bytestream.Client.Internal.Zstd;
using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// One read of a resource that survives failures: each call to <see cref="ReadChunkAsync"/>
/// yields the next non-empty chunk, opening a new Read call at the current position with the
/// remaining limit whenever the previous one failed with a retryable status. Each call's bytes pass
/// through the plan's <see cref="ReadStage"/> (a zstd decoder for a compressed name) and its digest
/// check, which sees the whole blob before the end is reported.
/// Not thread-safe, except that <see cref="Dispose"/> may cancel a read in flight.
/// </summary>
internal sealed class ResumableReader : IDisposable
{
    private readonly ClientCore _core;
    private readonly Metadata? _headers;
    private readonly long _limit;

    // The most bytes this read may yield: the limit or the expected length, whichever is smaller; and which one it is.
    private readonly long _maxLength;
    private readonly ReadBound _bound;
    private readonly OperationTelemetry _telemetry;
    private readonly DigestVerifier? _verifier;
    private TransferPlan _plan;
    private ReadStage _stage;
    private bool _wireEnded;
    private int _calls;

    private AsyncServerStreamingCall<ReadChunk>? _call;
    private CallCancellation? _cancellation;
    private long _callBytes;
    private bool _finished;
    private volatile bool _disposed;

    // A protocol violation ends the read for good: resuming would only repeat it.
    private ExceptionDispatchInfo? _fault;

    /// <summary>Prepares a read of <paramref name="limit"/> bytes (0: to the end) from <paramref name="offset"/>, as <paramref name="plan"/> says.</summary>
    /// <param name="core">The client.</param>
    /// <param name="plan">The read's plan: its wire name, stage, digest and length.</param>
    /// <param name="offset">The first byte to read.</param>
    /// <param name="limit">The most bytes to read; 0: to the end.</param>
    /// <param name="lengthFromCaller">Whether the plan's length is the caller's <see cref="DownloadOptions.ExpectedLength"/> (for messages).</param>
    /// <param name="headers">Sent with every call.</param>
    public ResumableReader(ClientCore core, TransferPlan plan, long offset, long limit, bool lengthFromCaller, Metadata? headers)
    {
        _core = core;
        _plan = plan;
        _stage = ReadStage.For(plan);
        _verifier = plan.CreateVerifier(upload: false);
        StartOffset = offset;
        _limit = limit;
        _headers = headers;
        _telemetry = new OperationTelemetry("download", plan.WireName, core.TimeProvider);
        _maxLength = Math.Min(limit > 0 ? limit : long.MaxValue, ExpectedLength ?? long.MaxValue);
        _bound = limit > 0 && limit == _maxLength ? ReadBound.ReadLimit
            : lengthFromCaller ? ReadBound.ExpectedLength
            : ReadBound.BlobSize;
    }

    /// <summary>Gets the caller's name of the resource.</summary>
    public string ResourceName => _plan.ResourceName;

    public long StartOffset { get; }

    /// <summary>Gets the bytes this read must yield, when known.</summary>
    public long? ExpectedLength => _plan.Length;

    /// <summary>Gets the bytes received so far, over all calls.</summary>
    public long Received { get; private set; }

    /// <summary>Gets the name the calls read: the caller's, the compressed one the client chose, or the plain one after a fallback from compression.</summary>
    private string WireName => _plan.WireName;

    /// <summary>
    /// Returns the next non-empty chunk, or an empty one at the end of the read. The chunk's memory is
    /// pooled: it stays valid only until the next call or <see cref="Dispose"/>.
    /// </summary>
    /// <exception cref="RpcException">The server's error, when it is not retryable or outlasted the retry budget.</exception>
    /// <exception cref="ByteStreamException">The server sent more bytes than allowed, or fewer than expected.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The reader was disposed.</exception>
    public ValueTask<ReadOnlyMemory<byte>> ReadChunkAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, typeof(ByteStreamReadStream));
        _fault?.Throw();
        if (_finished)
        {
            return default;
        }

        _telemetry.Start();
        var step = ResumableStep.RunAsync(_core, WireName, this, static (r, ct) => r.AttemptAsync(ct), cancellationToken);
        return step.IsCompletedSuccessfully ? step : AwaitChunkAsync(step);
    }

    /// <summary>Waits for a chunk that did not arrive at once, and records in telemetry when the read fails.</summary>
    private async ValueTask<ReadOnlyMemory<byte>> AwaitChunkAsync(ValueTask<ReadOnlyMemory<byte>> step)
    {
        try
        {
            return await step.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _telemetry.Fail(ex, Received, null, Resumes);
            throw;
        }
    }

    private int Resumes => Math.Max(0, _calls - 1);

    private async ValueTask<StepResult<ReadOnlyMemory<byte>>> AttemptAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, typeof(ByteStreamReadStream));
        if (_finished)
        {
            // An interrupted attempt may have been followed by the end (an error after the last byte).
            return StepResult<ReadOnlyMemory<byte>>.Done(default);
        }

        if (_call is null)
        {
            if (Received > 0 && Received >= _maxLength)
            {
                // Everything asked for has arrived; a new call with read_limit 0 would mean "to the end".
                return Finish();
            }

            Open();
        }

        var call = _call!;
        var cancellation = _cancellation!;
        using var registration = cancellation.Link(cancellationToken);
        try
        {
            while (true)
            {
                var data = _stage.Decode();
                if (!data.IsEmpty)
                {
                    return Deliver(data);
                }

                if (_wireEnded)
                {
                    _stage.EndCall();
                    CloseCall();
                    return Finish();
                }

                // The stall timer measures how long the server takes to answer, not how long the caller was away.
                cancellation.Arm();
                var moved = await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false);
                cancellation.Pause();
                if (!moved)
                {
                    // What the stage holds is handed out before the end counts.
                    _stage.InputEnded();
                    _wireEnded = true;
                    continue;
                }

                var chunk = call.ResponseStream.Current;
                if (chunk.Length == 0)
                {
                    // A keep-alive: it says the server is alive, but it moved no bytes.
                    continue;
                }

                Telemetry.DataReceived.Add(chunk.Length);
                _stage.Feed(chunk);
            }
        }
        catch (ByteStreamException ex)
        {
            CloseCall();
            _fault = ExceptionDispatchInfo.Capture(ex);
            throw;
        }
        catch (Exception ex)
        {
            if (OnCallFailed(ex, cancellation, cancellationToken) is { } result)
            {
                return result;
            }

            throw;
        }
    }

    /// <summary>Hands out the next (uncompressed) bytes, unless they pass what the read may yield.</summary>
    private StepResult<ReadOnlyMemory<byte>> Deliver(ReadOnlyMemory<byte> data)
    {
        if (data.Length > _maxLength - Received)
        {
            throw ThrowHelper.ReadTooLong(WireName, StartOffset, Received + data.Length, _maxLength, _bound);
        }

        Received += data.Length;
        _callBytes += data.Length;
        _verifier?.Append(data.Span);
        return StepResult<ReadOnlyMemory<byte>>.Done(data);
    }

    /// <summary>Decides what a failed call means: a result, a translated exception thrown, or <see langword="null"/> to rethrow it as it is.</summary>
    private StepResult<ReadOnlyMemory<byte>>? OnCallFailed(Exception exception, CallCancellation cancellation, CancellationToken cancellationToken)
    {
        var callBytes = _callBytes;

        // Translate before closing: closing cancels the call, which would hide that the stall timer did.
        var error = cancellation.Translate(exception, cancellationToken);
        CloseCall(error);
        if (_disposed)
        {
            // The call's own error (it was cancelled by the disposal) says nothing more.
            throw new ObjectDisposedException(typeof(ByteStreamReadStream).FullName, "The stream was disposed while a read waited for data.");
        }

        if (error is OperationCanceledException)
        {
            Log.ReadCancelled(_core.Logger, WireName, StartOffset + Received);
            throw error;
        }

        var status = (error as RpcException)?.StatusCode ?? StatusCode.Unknown;
        if (_plan.CanFallBackToPlain && Received == 0 && status is StatusCode.Unimplemented or StatusCode.InvalidArgument)
        {
            // The client chose compression and the server has none: read the plain name, now and from now on.
            Log.CompressionUnsupported(_core.Logger, WireName, status, _plan.ResourceName);
            _core.CompressionUnsupported = true;
            _plan = _plan.Plain();
            _stage.Dispose();
            _stage = ReadStage.For(_plan);
            return StepResult<ReadOnlyMemory<byte>>.Interrupted(error);
        }

        if (Received > 0 && Received == _maxLength)
        {
            // Everything expected has arrived: what went wrong afterwards cannot change the data.
            // (With nothing expected there is no last byte: the error may be that the read is out of range.)
            Log.ReadErrorAfterLastByte(_core.Logger, WireName, status, Received);
            return Finish();
        }

        Log.ReadCallFailed(_core.Logger, WireName, status, StartOffset + Received, callBytes, error);

        // Progress earns a fresh retry budget; a status the pipeline would not retry surfaces at
        // once instead of costing one more call that would fail the same way.
        if (callBytes > 0 && RetryableStatus.IsRetryable(error, cancellationToken))
        {
            return StepResult<ReadOnlyMemory<byte>>.Interrupted(error);
        }

        return ReferenceEquals(error, exception) ? null : throw error;
    }

    private void Open()
    {
        var offset = StartOffset + Received;
        var limit = _limit > 0 ? _limit - Received : 0;
        _stage.StartCall(offset, _maxLength - Received);
        _wireEnded = false;
        Log.ReadCallStarting(_core.Logger, WireName, offset, limit);
        var cancellation = new CallCancellation(_core.Options);
        try
        {
            _call = _core.CallInvoker.AsyncServerStreamingCall(
                PooledReadMethod.Read,
                null,
                new CallOptions(headers: _headers, cancellationToken: cancellation.Token),
                new ReadRequest { ResourceName = WireName, ReadOffset = offset, ReadLimit = limit });
        }
        catch
        {
            cancellation.Dispose();
            throw;
        }

        _cancellation = cancellation;
        _callBytes = 0;
        _telemetry.StartAttempt("read", offset);
        if (_calls++ > 0)
        {
            Telemetry.Resumes.Add(1);
        }
    }

    private StepResult<ReadOnlyMemory<byte>> Finish()
    {
        if (ExpectedLength is { } expected && Received < expected)
        {
            var error = ThrowHelper.ReadEndedEarly(WireName, StartOffset, Received, expected);
            _fault = ExceptionDispatchInfo.Capture(error);
            throw error;
        }

        if (_verifier?.Check() is { } mismatch)
        {
            _fault = ExceptionDispatchInfo.Capture(mismatch);
            throw mismatch;
        }

        _finished = true;
        Log.ReadCompleted(_core.Logger, WireName, Received);
        _telemetry.Succeed(Received, null, Resumes);
        return StepResult<ReadOnlyMemory<byte>>.Done(default);
    }

    /// <summary>Ends the current call; cancels it when it is still running (close means cancel).</summary>
    private void CloseCall(Exception? error = null)
    {
        if (_call is not null)
        {
            _telemetry.EndAttempt(error, _callBytes);
        }

        var call = _call;
        var cancellation = _cancellation;
        _call = null;
        _cancellation = null;
        cancellation?.Cancel();
        call?.Dispose();
        cancellation?.Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _finished = true;
        CloseCall();
        _stage.Dispose();
        _verifier?.Dispose();
        _telemetry.Abandon(Received, null, Resumes);
    }
}
