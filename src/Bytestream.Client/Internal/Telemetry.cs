using System.Diagnostics;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace Bytestream.Client.Internal;

/// <summary>
/// The client's ActivitySource and Meter, with OpenTelemetry-style names. Instruments cost next to nothing
/// while nobody listens, and activities are only created for a listener.
/// </summary>
internal static class Telemetry
{
    public const string OperationTag = "bytestream.operation";
    public const string ResourceNameTag = "bytestream.resource_name";
    public const string OffsetTag = "bytestream.offset";
    public const string BytesTag = "bytestream.bytes";
    public const string CommittedSizeTag = "bytestream.committed_size";
    public const string ResumesTag = "bytestream.resumes";
    public const string StatusCodeTag = "rpc.grpc.status_code";
    public const string ErrorTypeTag = "error.type";

    private static readonly string? Version = typeof(Telemetry).Assembly.GetName().Version?.ToString();

    public static ActivitySource Source { get; } = new(ByteStreamDiagnostics.ActivitySourceName, Version);

    public static Meter Meter { get; } = new(ByteStreamDiagnostics.MeterName, Version);

    public static Counter<long> DataSent { get; } = Meter.CreateCounter<long>(
        "bytestream.client.data.sent", "By", "Data bytes put into WriteRequests, resends included.");

    public static Counter<long> DataReceived { get; } = Meter.CreateCounter<long>(
        "bytestream.client.data.received", "By", "Data bytes received in ReadResponses.");

    public static Counter<long> Resumes { get; } = Meter.CreateCounter<long>(
        "bytestream.client.resumes", "{resume}", "Read and Write calls started after a failure, to continue a transfer.");

    public static Counter<long> Retries { get; } = Meter.CreateCounter<long>(
        "bytestream.client.retries", "{retry}", "Failed network steps tried again: by the default pipeline, or at once after progress.");

    public static Histogram<double> OperationDuration { get; } = Meter.CreateHistogram<double>(
        "bytestream.client.operation.duration", "s", "How long an upload, download or QueryWriteStatus took, retries included.");

    /// <summary>The error.type of a failure: the gRPC status, or the exception's type.</summary>
    public static string ErrorType(Exception error) => error switch
    {
        RpcException rpc => rpc.StatusCode.ToString(),
        OperationCanceledException => "cancelled",
        _ => error.GetType().FullName ?? error.GetType().Name,
    };

    /// <summary>Starts an activity under <paramref name="parent"/> without making it <see cref="Activity.Current"/>
    /// for the caller: a transfer's spans belong to the transfer, not to whatever the caller does next.</summary>
    public static Activity? StartDetached(string name, ActivityContext parent = default)
    {
        var previous = Activity.Current;
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        Activity.Current = previous;
        return activity;
    }

    /// <summary>Marks <paramref name="activity"/> as failed by <paramref name="error"/>, of <paramref name="errorType"/> when given.</summary>
    public static void Fail(Activity? activity, Exception error, string? errorType = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag(ErrorTypeTag, errorType ?? ErrorType(error));
        if (error is RpcException rpc)
        {
            activity.SetTag(StatusCodeTag, (int)rpc.StatusCode);
        }

        activity.SetStatus(ActivityStatusCode.Error, error.Message);
    }
}
