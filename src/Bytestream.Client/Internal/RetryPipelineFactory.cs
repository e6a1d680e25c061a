using Grpc.Core;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Bytestream.Client.Internal;

/// <summary>Builds the default retry pipeline from the options, once per client.</summary>
internal static class RetryPipelineFactory
{
    /// <summary>Carries the resource name into the pipeline's callbacks, for logging.</summary>
    public static readonly ResiliencePropertyKey<string> ResourceNameKey = new("Bytestream.Client.ResourceName");

    public static ResiliencePipeline Create(ByteStreamClientOptions options, ILogger logger)
    {
        if (options.RetryPipeline is { } custom)
        {
            return custom;
        }

        if (options.MaxRetryAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        var maxRetries = options.MaxRetryAttempts;
        return new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                // One execution spans a transfer from one point of progress to the next (see ResumableStep).
                ShouldHandle = args => ValueTask.FromResult(
                    RetryableStatus.IsRetryable(args.Outcome.Exception, args.Context.CancellationToken)
                    && args.AttemptNumber < maxRetries),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.InitialBackoff,
                MaxDelay = options.MaxBackoff,
                OnRetry = args =>
                {
                    var status = (args.Outcome.Exception as RpcException)?.StatusCode ?? StatusCode.Unknown;
                    args.Context.Properties.TryGetValue(ResourceNameKey, out var name);
                    Log.RetryScheduled(logger, name ?? "", args.AttemptNumber + 1, status, args.RetryDelay, args.Outcome.Exception);
                    Telemetry.Retries.Add(1);
                    return default;
                },
            })
            .Build();
    }
}
