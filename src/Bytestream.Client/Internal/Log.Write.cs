using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Internal;

/// <summary>The upload events (ids 30-49).</summary>
internal static partial class Log
{
    [LoggerMessage(30, LogLevel.Debug, "Write of '{ResourceName}' starting at offset {Offset}.")]
    public static partial void WriteStarting(ILogger logger, string resourceName, long offset);

    [LoggerMessage(31, LogLevel.Debug, "Write of '{ResourceName}' resuming at committed offset {Offset}; the client had reached {Position}.")]
    public static partial void WriteResumed(ILogger logger, string resourceName, long offset, long position);

    [LoggerMessage(32, LogLevel.Debug, "QueryWriteStatus for '{ResourceName}': committed_size {CommittedSize}, complete {Complete}.")]
    public static partial void WriteStatusReceived(ILogger logger, string resourceName, long committedSize, bool complete);

    [LoggerMessage(33, LogLevel.Debug, "QueryWriteStatus for '{ResourceName}' answered {StatusCode}: continuing from the first offset.")]
    public static partial void WriteStatusUnknown(ILogger logger, string resourceName, StatusCode statusCode);

    [LoggerMessage(34, LogLevel.Debug, "The server ended the Write of '{ResourceName}' early ({StatusCode}, committed_size {CommittedSize}): it already holds the resource.")]
    public static partial void WriteCompletedEarly(ILogger logger, string resourceName, long committedSize, StatusCode statusCode);

    [LoggerMessage(35, LogLevel.Debug, "Upload of '{ResourceName}' finished: committed_size {CommittedSize}, {BytesSent} bytes sent, {Resumes} resumes.")]
    public static partial void UploadCompleted(ILogger logger, string resourceName, long committedSize, long bytesSent, int resumes);

    [LoggerMessage(36, LogLevel.Debug, "Write of '{ResourceName}' aborted at offset {Offset} without finish_write; the committed bytes stay resumable.")]
    public static partial void WriteAborted(ILogger logger, string resourceName, long offset);

    [LoggerMessage(37, LogLevel.Information, "Replay buffer of '{ResourceName}' is full with only {CommittedSize} bytes committed: dropped bytes before offset {HeldFrom}, so a failure needing them cannot resume.")]
    public static partial void ReplayBufferDropped(ILogger logger, string resourceName, long committedSize, long heldFrom);

    [LoggerMessage(38, LogLevel.Debug, "The server keeps part of the compressed upload '{ResourceName}', which cannot resume mid-stream: starting again at 0 as '{FreshName}'.")]
    public static partial void CompressedUploadRenamed(ILogger logger, string resourceName, string freshName);
}
