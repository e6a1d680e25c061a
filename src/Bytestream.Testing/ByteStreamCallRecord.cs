using Grpc.Core;

namespace Bytestream.Testing;

/// <summary>
/// One call that <see cref="ByteStreamTestServer"/> received (see <see cref="ByteStreamTestServer.Calls"/>).
/// The positional members are fixed when the call starts; <see cref="Status"/> and <see cref="Ended"/>
/// report its end.
/// </summary>
/// <param name="CallId">The server's number for the call, unique for the server's lifetime and increasing in start order.</param>
/// <param name="Method">The method called.</param>
/// <param name="ResourceName">
/// The call's resource name: from the request of a Read or QueryWriteStatus, from the first request of a
/// Write (empty when a Write sent no request or a first request without one).
/// </param>
/// <param name="RequestHeaders">The request headers (metadata) the client sent with the call.</param>
public sealed record ByteStreamCallRecord(long CallId, ByteStreamMethod Method, string ResourceName, Metadata RequestHeaders)
{
    private const int Running = -1;

    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _status = Running;

    /// <summary>Gets the server's identifier of the HTTP/2 connection the call came on: calls on one connection share it.</summary>
    /// <value>Kestrel's connection id; empty for a record made outside a call.</value>
    public string ConnectionId { get; init; } = string.Empty;

    /// <summary>Gets the status the server ended the call with, or <see langword="null"/> while the call is running.</summary>
    /// <value>
    /// The status the handler returned: <see cref="StatusCode.OK"/>, the injected or protocol error, or
    /// <see cref="StatusCode.Cancelled"/> / <see cref="StatusCode.DeadlineExceeded"/> when the client cancelled
    /// the call or its deadline passed. It is set before the status is sent, so a client that has seen the
    /// call's status also sees it here; a client-side cancellation reaches the server later (await <see cref="Ended"/>).
    /// </value>
    public StatusCode? Status
    {
        get
        {
            var status = Volatile.Read(ref _status);
            return status == Running ? null : (StatusCode)status;
        }
    }

    /// <summary>
    /// Gets a task that completes (never faults) once the call has ended and <see cref="Status"/> is set.
    /// Await it, bounded by a timeout, to know the server has noticed a call the client cancelled.
    /// </summary>
    public Task Ended => _ended.Task;

    internal void End(StatusCode status)
    {
        if (Interlocked.CompareExchange(ref _status, (int)status, Running) == Running)
        {
            _ended.TrySetResult();
        }
    }
}
