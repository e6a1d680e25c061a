using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>
/// One scripted Write call of a <see cref="ScriptedWriteInvoker"/>: it records the requests, and either
/// accepts them all and answers the committed size once the request stream is closed, or, after a number
/// of requests, ends with a status while the next request-stream write waits like a send that flow control
/// holds back (it ends only when the call is cancelled), or, at a request, cancels the caller's token and
/// lets that request's write succeed once the call has ended (a send the transport had already taken).
/// </summary>
internal sealed class ScriptedWriteCall : IClientStreamWriter<WriteRequest>
{
    private readonly TaskCompletionSource<WriteResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<WriteRequest> _requests = [];
    private readonly int? _failAfter;
    private readonly StatusCode _status;
    private readonly CancellationTokenSource? _caller;
    private CancellationToken _callToken;

    private ScriptedWriteCall(int? failAfter, StatusCode status, CancellationTokenSource? caller = null)
    {
        _failAfter = failAfter;
        _status = status;
        _caller = caller;
    }

    /// <summary>Gets the requests received, in order.</summary>
    public IReadOnlyList<WriteRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Gets whether the client cancelled the call.</summary>
    public bool Cancelled => _callToken.IsCancellationRequested;

    /// <inheritdoc/>
    public WriteOptions? WriteOptions { get; set; }

    internal Task<WriteResponse> Response => _response.Task;

    /// <summary>Gets or sets the call's response as the client sees it, set by the invoker.</summary>
    internal Task? ClientResponse { get; set; }

    /// <summary>A call that accepts every request and answers the size written once the request stream closes.</summary>
    public static ScriptedWriteCall Accepting() => new(null, StatusCode.OK);

    /// <summary>A call that accepts <paramref name="requests"/> requests, then ends with <paramref name="status"/> while the next write hangs.</summary>
    public static ScriptedWriteCall EndsWithStatusWhileAWriteHangs(int requests, StatusCode status) => new(requests, status);

    /// <summary>
    /// A call that accepts <paramref name="requests"/> requests; the next one cancels <paramref name="caller"/>
    /// (which cancels the call) and its write succeeds only after the client sees the call ended.
    /// </summary>
    public static ScriptedWriteCall CancelsTheCallerAt(int requests, CancellationTokenSource caller) => new(requests, StatusCode.Cancelled, caller);

    /// <inheritdoc/>
    public Task WriteAsync(WriteRequest message) => WriteAsync(message, CancellationToken.None);

    /// <inheritdoc/>
    public async Task WriteAsync(WriteRequest message, CancellationToken cancellationToken)
    {
        int count;
        lock (_requests)
        {
            count = _requests.Count;
            if (_failAfter is null || count < _failAfter)
            {
                // A copy of the data: the client may reuse the buffer it wrapped once the write returns.
                var copy = message.Clone();
                copy.Data = ByteString.CopyFrom(message.Data.Span);
                _requests.Add(copy);
                return;
            }
        }

        if (_caller is not null)
        {
            await _caller.CancelAsync();
            await ClientResponse!.ContinueWith(static _ => { }, TaskScheduler.Default);
            return;
        }

        // The server ends the call; the transport never takes this message, so only the call's cancellation ends the wait.
        _response.TrySetException(new RpcException(new Status(_status, "scripted end of the call")));
        using var either = CancellationTokenSource.CreateLinkedTokenSource(_callToken, cancellationToken);
        await Task.Delay(Timeout.Infinite, either.Token);
    }

    /// <inheritdoc/>
    public Task CompleteAsync()
    {
        var requests = Requests;
        var end = requests.Count == 0 ? 0 : requests[^1].WriteOffset + requests[^1].Data.Length;
        _response.TrySetResult(new WriteResponse { CommittedSize = end });
        return Task.CompletedTask;
    }

    internal void Start(CancellationToken callToken)
    {
        _callToken = callToken;
        callToken.Register(() => _response.TrySetException(new RpcException(new Status(StatusCode.Cancelled, "cancelled by the client"))));
    }
}
