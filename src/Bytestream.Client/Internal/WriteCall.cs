using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The mechanics of one Write call, as grpc-dotnet's <c>GrpcCall</c> is to its <c>RetryCall</c>: open it at an offset,
/// send requests at contiguous offsets (<c>resource_name</c> on every one), send <c>finish_write</c> and half-close,
/// and read how it ended. Its cancellation joins the caller's token, the stall timer and the call's own status:
/// once the status arrives, a send that waits for flow control the server will never grant ends. What the outcome
/// means is the <see cref="CommitJudge"/>'s to decide, and what to do next the <see cref="UploadSession"/>'s.
/// </summary>
internal sealed class WriteCall : IDisposable
{
    private readonly string _resourceName;
    private readonly AsyncClientStreamingCall<WriteRequest, WriteResponse> _call;
    private readonly CallCancellation _cancellation;
    private bool _sending;

    public WriteCall(ClientCore core, string resourceName, Metadata? headers, long offset)
    {
        _resourceName = resourceName;
        _cancellation = new CallCancellation(core.Options);
        _call = core.Stub.Write(new CallOptions(headers: headers, cancellationToken: _cancellation.Token));
        _ = _call.ResponseAsync.ContinueWith(
            static (response, state) =>
            {
                _ = response.Exception;
                ((CallCancellation)state!).Cancel();
            },
            _cancellation,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        Start = NextOffset = offset;
    }

    /// <summary>Gets the <c>write_offset</c> of the call's first request.</summary>
    public long Start { get; }

    /// <summary>Gets the <c>write_offset</c> of the next request.</summary>
    public long NextOffset { get; private set; }

    /// <summary>Gets whether <c>finish_write</c> went out on this call.</summary>
    public bool FinishSent { get; private set; }

    /// <summary>Gets whether the call has its status: nothing sent on it can arrive any more.</summary>
    public bool Ended => _call.ResponseAsync.IsCompleted;

    /// <summary>Sends the next request; <paramref name="data"/> must not change until it completes.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> data, bool finishWrite, CancellationToken cancellationToken)
    {
        // UnsafeWrap is safe: the chunk is not reused before WriteAsync has serialized it.
        var request = new WriteRequest
        {
            ResourceName = _resourceName,
            WriteOffset = NextOffset,
            FinishWrite = finishWrite,
            Data = data.IsEmpty ? ByteString.Empty : UnsafeByteOperations.UnsafeWrap(data),
        };

        FinishSent |= finishWrite;
        using (_cancellation.Link(cancellationToken))
        {
            _cancellation.Arm();
            _sending = true;
            await _call.RequestStream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            _sending = false;
            _cancellation.Pause();
        }

        NextOffset += data.Length;
    }

    /// <summary>Sends <c>finish_write</c>, closes the request stream (Google's server ends the call only then) and waits for the response.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken)
    {
        await SendAsync(ReadOnlyMemory<byte>.Empty, finishWrite: true, cancellationToken).ConfigureAwait(false);
        using (_cancellation.Link(cancellationToken))
        {
            _cancellation.Arm();
            _sending = true;
            await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
            _sending = false;
            await _call.ResponseAsync.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether <paramref name="error"/> is this call's failure: its status, the cancellation that ended it, or anything
    /// a request-stream operation throws (a write after the call completed, the transport under it: a stream reset by
    /// a proxy, a dropped connection, the request aborted when the call's status arrived).
    /// </summary>
    public bool IsFailure(Exception error) => error is RpcException or OperationCanceledException || _sending;

    /// <summary>
    /// How the call ended: unless the caller cancelled, its own status says it (it says more than a failed send: the
    /// server may have ended the call on purpose), even when the send it ended was cancelled.
    /// </summary>
    /// <param name="error">What the sends threw, if anything.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async ValueTask<WriteOutcome> EndAsync(Exception? error, CancellationToken cancellationToken)
    {
        _sending = false;
        error = error is null ? null : _cancellation.Translate(error, cancellationToken);

        // A send that failed on this side (grpc-dotnet's RESOURCE_EXHAUSTED for a message over the channel's
        // MaxSendMessageSize) leaves the call open with nothing to end it: end it, and keep that error.
        var failedLocally = error is RpcException { StatusCode: StatusCode.ResourceExhausted }
            && !Ended && !_cancellation.Token.IsCancellationRequested;
        if (failedLocally)
        {
            _cancellation.Cancel();
        }

        if (!cancellationToken.IsCancellationRequested && (error is not OperationCanceledException || Ended))
        {
            try
            {
                using (_cancellation.Link(cancellationToken))
                {
                    _cancellation.Arm();
                    return WriteOutcome.Responded((await _call.ResponseAsync.ConfigureAwait(false)).CommittedSize);
                }
            }
            catch (RpcException status) when (status.StatusCode == StatusCode.AlreadyExists)
            {
                return WriteOutcome.AlreadyExists;
            }
            catch (RpcException status) when (!failedLocally)
            {
                error = _cancellation.Translate(status, cancellationToken);
            }
            catch (RpcException)
            {
                // The cancellation that ended the call: the send's own error says what went wrong.
            }
        }

        // The caller cancelled as a send completed, so the send loop found the call ended with no error of its own.
        return WriteOutcome.Failed(error ?? new OperationCanceledException(cancellationToken));
    }

    /// <summary>Ends the call; without <c>finish_write</c>, what the server committed stays resumable.</summary>
    public void Cancel() => _cancellation.Cancel();

    public void Dispose()
    {
        _call.Dispose();
        _cancellation.Dispose();
    }
}

/// <summary>How a Write call ended.</summary>
/// <param name="CommittedSize">The <c>committed_size</c> of a response with OK.</param>
/// <param name="IsAlreadyExists">The server answered ALREADY_EXISTS: another client uploaded the resource.</param>
/// <param name="Error">The call's failure (translated: a stall is a retryable DeadlineExceeded, the caller's cancellation an <see cref="OperationCanceledException"/>).</param>
internal readonly record struct WriteOutcome(long? CommittedSize, bool IsAlreadyExists, Exception? Error)
{
    public static WriteOutcome AlreadyExists => new(null, true, null);

    public static WriteOutcome Responded(long committedSize) => new(committedSize, false, null);

    public static WriteOutcome Failed(Exception error) => new(null, false, error);
}
