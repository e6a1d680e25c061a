using System.Diagnostics;

namespace Bytestream.Client.Internal;

/// <summary>
/// The span and duration of one operation (an upload, a download, a QueryWriteStatus) and the spans of its
/// attempts. Started on first use and ended exactly once: succeeded, failed, or left unfinished.
/// </summary>
internal sealed class OperationTelemetry(string operation, string resourceName, TimeProvider timeProvider)
{
    private static readonly OperationCanceledException Aborted = new("The transfer ended without finishing.");

    private Activity? _activity;
    private Activity? _attempt;
    private long _startTimestamp;
    private bool _started;
    private bool _ended;

    public ActivityContext Context => _activity?.Context ?? default;

    public void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        _startTimestamp = timeProvider.GetTimestamp();
        _activity = Telemetry.StartDetached("bytestream." + operation);
        _activity?.SetTag(Telemetry.OperationTag, operation);
        _activity?.SetTag(Telemetry.ResourceNameTag, resourceName);
    }

    /// <summary>Starts the span of one call, ending the previous one if it is still open.</summary>
    public void StartAttempt(string method, long offset)
    {
        EndAttempt(null, 0);
        _attempt = Telemetry.StartDetached("bytestream." + method, Context);
        _attempt?.SetTag(Telemetry.OffsetTag, offset);
    }

    /// <summary>Ends the span of the current call with the bytes it moved and its failure, if any.</summary>
    public void EndAttempt(Exception? error, long bytes)
    {
        if (_attempt is not { } attempt)
        {
            return;
        }

        _attempt = null;
        attempt.SetTag(Telemetry.BytesTag, bytes);
        if (error is not null)
        {
            Telemetry.Fail(attempt, error);
        }

        attempt.Dispose();
    }

    public void Succeed(long bytes, long? committedSize, int resumes) => End(null, bytes, committedSize, resumes);

    public void Fail(Exception error, long bytes, long? committedSize, int resumes) => End(error, bytes, committedSize, resumes);

    /// <summary>Ends an operation that stopped without finishing or failing (disposed, aborted): error.type "aborted".</summary>
    public void Abandon(long bytes, long? committedSize, int resumes) => End(Aborted, bytes, committedSize, resumes);

    private void End(Exception? error, long bytes, long? committedSize, int resumes)
    {
        if (!_started || _ended)
        {
            return;
        }

        _ended = true;
        EndAttempt(error, 0);
        var seconds = timeProvider.GetElapsedTime(_startTimestamp).TotalSeconds;
        var operationTag = new KeyValuePair<string, object?>(Telemetry.OperationTag, operation);
        var errorType = error is null ? null : ReferenceEquals(error, Aborted) ? "aborted" : Telemetry.ErrorType(error);
        if (errorType is null)
        {
            Telemetry.OperationDuration.Record(seconds, operationTag);
        }
        else
        {
            Telemetry.OperationDuration.Record(seconds, operationTag, new KeyValuePair<string, object?>(Telemetry.ErrorTypeTag, errorType));
        }

        if (_activity is { } activity)
        {
            activity.SetTag(Telemetry.BytesTag, bytes);
            activity.SetTag(Telemetry.ResumesTag, resumes);
            if (committedSize is { } committed)
            {
                activity.SetTag(Telemetry.CommittedSizeTag, committed);
            }

            if (error is not null)
            {
                Telemetry.Fail(activity, error, errorType);
            }

            activity.Dispose();
        }
    }
}
