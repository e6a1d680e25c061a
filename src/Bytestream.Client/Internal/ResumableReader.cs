using System.Runtime.ExceptionServices;
using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// One read of a resource that survives failures: each call to <see cref="ReadChunkAsync"/>
/// yields the next non-empty chunk, opening a new Read call at the current position with the
/// remaining limit whenever the previous one failed with a retryable status.
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
    private int _calls;

    private AsyncServerStreamingCall<ReadChunk>? _call;
    private ReadChunk? _current;
    private CallCancellation? _cancellation;
    private long _callBytes;
    private bool _finished;
    private volatile bool _disposed;

    // A protocol violation ends the read for good: resuming would only repeat it.
    private ExceptionDispatchInfo? _fault;

    /// <summary>Prepares a read; <paramref name="expectedLength"/> is the caller's, or <see langword="null"/> to infer it from a REAPI name.</summary>
    public ResumableReader(ClientCore core, string resourceName, long offset, long limit, long? expectedLength, Metadata? headers)
    {
        _core = core;
        ResourceName = resourceName;
        StartOffset = offset;
        _limit = limit;
        ExpectedLength = expectedLength ?? InferExpectedLength(resourceName, offset, limit);
        _headers = headers;
        _telemetry = new OperationTelemetry("download", resourceName, core.TimeProvider);
        _maxLength = Math.Min(limit > 0 ? limit : long.MaxValue, ExpectedLength ?? long.MaxValue);
        _bound = limit > 0 && limit == _maxLength ? ReadBound.ReadLimit
            : expectedLength is not null ? ReadBound.ExpectedLength
            : ReadBound.BlobSize;
    }

    public string ResourceName { get; }

    public long StartOffset { get; }

    /// <summary>Gets the bytes this read must yield, when known.</summary>
    public long? ExpectedLength { get; }

    /// <summary>Gets the bytes received so far, over all calls.</summary>
    public long Received { get; private set; }

    /// <summary>
    /// Infers the length of a read from a REAPI name (<c>{instance}/blobs/{hash}/{size}</c>), clamped by
    /// the offset and the limit: <see langword="null"/> for other names, including compressed ones
    /// (their size is not the byte count on the wire).
    /// </summary>
    private static long? InferExpectedLength(string resourceName, long offset, long limit)
    {
        if (BlobResourceName.TryGetUncompressedSize(resourceName) is not { } size)
        {
            return null;
        }

        var remaining = Math.Max(0, size - offset);
        return limit > 0 ? Math.Min(limit, remaining) : remaining;
    }

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
        ReturnCurrent();
        _fault?.Throw();
        if (_finished)
        {
            return default;
        }

        _telemetry.Start();
        var step = ResumableStep.RunAsync(_core, ResourceName, this, static (r, ct) => r.AttemptAsync(ct), cancellationToken);
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
                // The stall timer measures how long the server takes to answer, not how long the caller was away.
                cancellation.Arm();
                var moved = await call.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false);
                cancellation.Pause();
                if (!moved)
                {
                    CloseCall();
                    return Finish();
                }

                var chunk = call.ResponseStream.Current;
                if (chunk.Length == 0)
                {
                    // A keep-alive: it says the server is alive, but it moved no bytes.
                    continue;
                }

                if (chunk.Length > _maxLength - Received)
                {
                    chunk.Return();
                    CloseCall();
                    throw ThrowHelper.ReadTooLong(ResourceName, StartOffset, Received + chunk.Length, _maxLength, _bound);
                }

                Received += chunk.Length;
                _callBytes += chunk.Length;
                Telemetry.DataReceived.Add(chunk.Length);
                _current = chunk;
                return StepResult<ReadOnlyMemory<byte>>.Done(chunk.Data);
            }
        }
        catch (ByteStreamException ex)
        {
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
            Log.ReadCancelled(_core.Logger, ResourceName, StartOffset + Received);
            throw error;
        }

        var status = (error as RpcException)?.StatusCode ?? StatusCode.Unknown;
        if (Received > 0 && Received == _maxLength)
        {
            // Everything expected has arrived: what went wrong afterwards cannot change the data.
            // (With nothing expected there is no last byte: the error may be that the read is out of range.)
            Log.ReadErrorAfterLastByte(_core.Logger, ResourceName, status, Received);
            return Finish();
        }

        Log.ReadCallFailed(_core.Logger, ResourceName, status, StartOffset + Received, callBytes, error);

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
        Log.ReadCallStarting(_core.Logger, ResourceName, offset, limit);
        var cancellation = new CallCancellation(_core.Options);
        try
        {
            _call = _core.CallInvoker.AsyncServerStreamingCall(
                PooledReadMethod.Read,
                null,
                new CallOptions(headers: _headers, cancellationToken: cancellation.Token),
                new ReadRequest { ResourceName = ResourceName, ReadOffset = offset, ReadLimit = limit });
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
            var error = ThrowHelper.ReadEndedEarly(ResourceName, StartOffset, Received, expected);
            _fault = ExceptionDispatchInfo.Capture(error);
            throw error;
        }

        _finished = true;
        Log.ReadCompleted(_core.Logger, ResourceName, Received);
        _telemetry.Succeed(Received, null, Resumes);
        return StepResult<ReadOnlyMemory<byte>>.Done(default);
    }

    private void ReturnCurrent()
    {
        _current?.Return();
        _current = null;
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
        ReturnCurrent();
        _telemetry.Abandon(Received, null, Resumes);
    }
}
