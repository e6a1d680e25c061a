using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>Which failures the default pipeline retries (the set Bazel and remote-apis-sdks retry).</summary>
internal static class RetryableStatus
{
    public static bool IsRetryable(Exception? exception, CancellationToken callerToken) => exception switch
    {
        // A peer that does not speak gRPC over HTTP/2 gives INTERNAL, one that never answers DEADLINE_EXCEEDED: another try cannot change either.
        RpcException rpc => IsRetryable(rpc.StatusCode, callerToken) && !PeerFailure.IsFinal(rpc),
        _ => false,
    };

    public static bool IsRetryable(StatusCode code, CancellationToken callerToken) => code switch
    {
        StatusCode.Unavailable or StatusCode.Unknown or StatusCode.DeadlineExceeded or StatusCode.Aborted
            or StatusCode.Internal or StatusCode.ResourceExhausted => true,
        StatusCode.Cancelled => !callerToken.IsCancellationRequested,
        _ => false,
    };
}
