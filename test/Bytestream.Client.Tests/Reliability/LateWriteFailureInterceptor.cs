using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// Makes the failure of each of the first <paramref name="failingCalls"/> Write calls reach the client only
/// at its next step (its next chunk): the first request of such a call is "sent" once the call has ended,
/// and later ones vanish as if buffered, as on a network where requests sit in buffers while the server
/// fails the call. The server must fail these calls (FailNext).
/// </summary>
internal sealed class LateWriteFailureInterceptor(int failingCalls) : Interceptor
{
    private int _calls;

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(
        ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(context);
        if (Interlocked.Increment(ref _calls) > failingCalls)
        {
            return call;
        }

        return new AsyncClientStreamingCall<TRequest, TResponse>(
            new WaitForEnd<TRequest>(call.RequestStream, call.ResponseAsync),
            call.ResponseAsync,
            call.ResponseHeadersAsync,
            call.GetStatus,
            call.GetTrailers,
            call.Dispose);
    }

    private sealed class WaitForEnd<T>(IClientStreamWriter<T> inner, Task response) : IClientStreamWriter<T>
    {
        private bool _first = true;

        public WriteOptions? WriteOptions
        {
            get => inner.WriteOptions;
            set => inner.WriteOptions = value;
        }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            if (response.IsCompleted)
            {
                return;
            }

            await inner.WriteAsync(message, cancellationToken);
            if (_first)
            {
                _first = false;
                await response.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).DefaultTimeout();
            }
        }

        public Task CompleteAsync() => response.IsCompleted ? Task.CompletedTask : inner.CompleteAsync();
    }
}
