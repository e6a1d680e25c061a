using System.Collections.Concurrent;
using Google.ByteStream;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>
/// Records the ReadRequests a client sends (the test server records calls, not their offsets and
/// limits): to check that a resumed Read asks for the current position and the remaining limit.
/// </summary>
internal sealed class ReadRequestRecorder : Interceptor
{
    private readonly ConcurrentQueue<ReadRequest> _requests = new();

    /// <summary>Gets the ReadRequests sent so far, in order.</summary>
    public IReadOnlyList<ReadRequest> Requests => [.. _requests];

    public IReadOnlyList<(long Offset, long Limit)> OffsetsAndLimits => [.. _requests.Select(r => (r.ReadOffset, r.ReadLimit))];

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        if (request is ReadRequest read)
        {
            _requests.Enqueue(read.Clone());
        }

        return continuation(request, context);
    }
}
