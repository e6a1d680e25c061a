namespace Bytestream.Client;

/// <summary>
/// The names under which the client reports traces and metrics, for example for OpenTelemetry's
/// <c>AddSource(ByteStreamDiagnostics.ActivitySourceName)</c> and <c>AddMeter(ByteStreamDiagnostics.MeterName)</c>.
/// docs/telemetry.md lists every span, tag and instrument.
/// </summary>
public static class ByteStreamDiagnostics
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/>: spans per operation (upload, download,
    /// QueryWriteStatus) and per attempt (each Write or Read call).</summary>
    public const string ActivitySourceName = "Bytestream.Client";

    /// <summary>The name of the <see cref="System.Diagnostics.Metrics.Meter"/>: bytes sent and received, resumes,
    /// retries and operation durations.</summary>
    public const string MeterName = "Bytestream.Client";
}
