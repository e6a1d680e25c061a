using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;

namespace Bytestream.Client.Internal;

/// <summary>
/// Runs one network step through the retry pipeline. Only consecutive failures without progress
/// may use up the budget: an attempt that fails after progress returns
/// <see cref="StepResult{T}.Interrupted"/>, and the step starts a fresh pipeline execution with a
/// fresh budget (Bazel's progressive backoff).
/// </summary>
internal static class ResumableStep
{
    public static async ValueTask<TResult> RunAsync<TState, TResult>(
        ClientCore core,
        string resourceName,
        TState state,
        Func<TState, CancellationToken, ValueTask<StepResult<TResult>>> attempt,
        CancellationToken cancellationToken,
        RetryBudget? budget = null)
    {
        while (true)
        {
            var context = ResilienceContextPool.Shared.Get(cancellationToken);
            context.Properties.Set(RetryPipelineFactory.ResourceNameKey, resourceName);
            if (budget is not null)
            {
                context.Properties.Set(RetryPipelineFactory.BudgetKey, budget);
            }

            StepResult<TResult> result;
            try
            {
                result = await core.Pipeline.ExecuteAsync(
                    static (ctx, s) => s.attempt(s.state, ctx.CancellationToken),
                    context,
                    (attempt, state)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException($"The transfer of '{resourceName}' was cancelled.", ex, cancellationToken);
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }

            if (result.Interruption is null)
            {
                return result.Value;
            }

            Log.ResumingAfterProgress(core.Logger, resourceName, result.Interruption);
            Telemetry.Retries.Add(1);
        }
    }
}
