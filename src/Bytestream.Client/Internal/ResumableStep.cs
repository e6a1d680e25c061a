using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;

namespace Bytestream.Client.Internal;

/// <summary>
/// Runs one network step through the retry pipeline: every attempt without progress is one attempt
/// of one pipeline execution, so the caller's pipeline and the default one count alike. An attempt
/// that fails after progress returns <see cref="StepResult{T}.Interrupted"/>, and the step goes on
/// at once with a fresh execution, so with a fresh budget (Bazel's progressive backoff).
/// </summary>
internal static class ResumableStep
{
    public static async ValueTask<TResult> RunAsync<TState, TResult>(
        ClientCore core,
        string resourceName,
        TState state,
        Func<TState, CancellationToken, ValueTask<StepResult<TResult>>> attempt,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(RetryPipelineFactory.ResourceNameKey, resourceName);

            StepResult<TResult> result;
            try
            {
                result = await core.Pipeline.ExecuteAsync(
                    static (ctx, s) => AttemptAsync(s.core, s.resourceName, s.attempt, s.state, ctx.CancellationToken),
                    context,
                    (core, resourceName, attempt, state)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"The transfer of '{resourceName}' was cancelled.", ex, cancellationToken);
            }
            catch (RpcException ex) when (PeerFailure.Diagnose(ex, core.PeerHasAnswered, out _) == PeerFault.ClosedBeforeHandshake)
            {
                // Retried as a lost connection until the retries ran out: then it was the peer, every time.
                throw ThrowHelper.ClosedBeforeHandshake(resourceName, core.Target, ex);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            if (!result.IsInterrupted)
            {
                return result.Value;
            }

            Log.ResumingAfterProgress(core.Logger, resourceName, result.Cause);
            Telemetry.Retries.Add(1);
        }
    }

    /// <summary>
    /// One attempt; a peer that does not speak gRPC over HTTP/2 becomes a <see cref="ByteStreamException"/>
    /// here, inside the pipeline, so that no pipeline (the default or the caller's) retries it, and a peer that
    /// never answered a final <c>DEADLINE_EXCEEDED</c> that the default pipeline does not retry (see <see cref="PeerFailure"/>).
    /// </summary>
    private static async ValueTask<StepResult<TResult>> AttemptAsync<TState, TResult>(
        ClientCore core,
        string resourceName,
        Func<TState, CancellationToken, ValueTask<StepResult<TResult>>> attempt,
        TState state,
        CancellationToken cancellationToken)
    {
        StepResult<TResult> result;
        try
        {
            result = await attempt(state, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            switch (PeerFailure.Diagnose(ex, core.PeerHasAnswered, out var detail))
            {
                case PeerFault.NotHttp2:
                    throw ThrowHelper.NotGrpcOverHttp2(resourceName, core.Target, detail, ex);
                case PeerFault.Silent:
                    throw ThrowHelper.NeverAnswered(resourceName, core.Target, detail, ex);
            }

            if (PeerFailure.IsServerStatus(ex))
            {
                core.MarkPeerAnswered();
            }

            throw;
        }

        // It returned, or made progress before it failed: the server answered.
        core.MarkPeerAnswered();
        return result;
    }
}
