using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Internal;

/// <summary>The read path's log events (ids 10-29).</summary>
internal static partial class Log
{
    [LoggerMessage(10, LogLevel.Debug, "Opening a Read of '{ResourceName}' at offset {Offset} with read_limit {Limit}.")]
    public static partial void ReadCallStarting(ILogger logger, string resourceName, long offset, long limit);

    [LoggerMessage(11, LogLevel.Debug, "The Read of '{ResourceName}' failed with {StatusCode} at offset {Offset} after {CallBytes} bytes from this call.")]
    public static partial void ReadCallFailed(ILogger logger, string resourceName, StatusCode statusCode, long offset, long callBytes, Exception exception);

    [LoggerMessage(12, LogLevel.Debug, "The Read of '{ResourceName}' ended after {Bytes} bytes.")]
    public static partial void ReadCompleted(ILogger logger, string resourceName, long bytes);

    [LoggerMessage(13, LogLevel.Debug, "The Read of '{ResourceName}' failed with {StatusCode} after all {Bytes} expected bytes arrived; the read is complete.")]
    public static partial void ReadErrorAfterLastByte(ILogger logger, string resourceName, StatusCode statusCode, long bytes);

    [LoggerMessage(14, LogLevel.Debug, "The Read of '{ResourceName}' was cancelled at offset {Offset}.")]
    public static partial void ReadCancelled(ILogger logger, string resourceName, long offset);
}
