using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The cancellation of one gRPC call: cancelled by the client (dispose, abort, the caller's token)
/// or, when <see cref="ByteStreamClientOptions.StallTimeout"/> is set, by a timer that runs
/// only while the client waits on the server and restarts whenever bytes move.
/// </summary>
internal sealed class CallCancellation : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly TimeSpan? _stallTimeout;
    private volatile bool _cancelledByClient;

    public CallCancellation(ByteStreamClientOptions options)
    {
        _stallTimeout = options.StallTimeout;
        _cts = _stallTimeout is { } timeout
            ? new CancellationTokenSource(timeout, options.TimeProvider)
            : new CancellationTokenSource();
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>Gets whether the stall timer, not the client, cancelled the call.</summary>
    public bool Stalled => _cts.IsCancellationRequested && !_cancelledByClient;

    /// <summary>Starts the stall timer again: the client now waits on the server (to accept or to send bytes).</summary>
    public void Arm()
    {
        if (_stallTimeout is { } timeout && !_cts.IsCancellationRequested)
        {
            _cts.CancelAfter(timeout);
        }
    }

    /// <summary>Stops the stall timer while the client is away (reading its source, or its caller between reads).</summary>
    public void Pause()
    {
        if (_stallTimeout is not null && !_cts.IsCancellationRequested)
        {
            _cts.CancelAfter(Timeout.InfiniteTimeSpan);
        }
    }

    public void Cancel()
    {
        // A call the stall timer already cancelled stays a stall.
        _cancelledByClient = !_cts.IsCancellationRequested || _cancelledByClient;
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished with: nothing left to cancel.
        }
    }

    /// <summary>Cancels the call when <paramref name="cancellationToken"/> is cancelled, until the registration is disposed.</summary>
    public CancellationTokenRegistration Link(CancellationToken cancellationToken) =>
        cancellationToken.UnsafeRegister(static s => ((CallCancellation)s!).Cancel(), this);

    /// <summary>
    /// Turns the failure of a call this object cancelled into what the caller should see: the
    /// caller's <see cref="OperationCanceledException"/>, or a retryable DeadlineExceeded for a stall.
    /// </summary>
    public Exception Translate(Exception error, CancellationToken callerToken)
    {
        if (callerToken.IsCancellationRequested)
        {
            return error as OperationCanceledException ?? new OperationCanceledException(error.Message, error, callerToken);
        }

        if (Stalled && error is RpcException { StatusCode: StatusCode.Cancelled } or OperationCanceledException)
        {
            return new RpcException(new Status(StatusCode.DeadlineExceeded,
                $"No bytes moved for {_stallTimeout}: the attempt was cancelled to be retried.", error));
        }

        return error;
    }

    public void Dispose() => _cts.Dispose();
}
