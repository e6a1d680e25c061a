using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The cancellation of one gRPC call: cancelled by the client (dispose, abort, the caller's token)
/// or, when <see cref="ByteStreamClientOptions.StallTimeout"/> is set, by a timer that every
/// moved chunk pushes back.
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

    /// <summary>Pushes the stall timer back after bytes moved.</summary>
    public void Progress()
    {
        if (_stallTimeout is { } timeout && !_cts.IsCancellationRequested)
        {
            _cts.CancelAfter(timeout);
        }
    }

    public void Cancel()
    {
        _cancelledByClient = true;
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
