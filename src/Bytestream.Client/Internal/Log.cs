using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Internal;

/// <summary>
/// The client's log events, with fixed ids: 1-9 shared, 10-29 reads, 30-49 writes. Never payload bytes.
/// Other files of this partial class add the events of their component.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "ByteStream call for '{ResourceName}' failed with {StatusCode}; retry {RetryNumber} in {Delay}.")]
    public static partial void RetryScheduled(ILogger logger, string resourceName, int retryNumber, StatusCode statusCode, TimeSpan delay, Exception? exception);

    [LoggerMessage(2, LogLevel.Debug, "ByteStream call for '{ResourceName}' failed after making progress; resuming with a fresh retry budget.")]
    public static partial void ResumingAfterProgress(ILogger logger, string resourceName, Exception? exception);

    [LoggerMessage(3, LogLevel.Warning, "The server answered the compressed name '{ResourceName}' with {StatusCode}: it does not take compressed blobs, so this client now transfers '{PlainName}' and later blobs uncompressed.")]
    public static partial void CompressionUnsupported(ILogger logger, string resourceName, StatusCode statusCode, string plainName);
}
