using System.Diagnostics.Metrics;
using Bytestream.Client;

namespace Bytestream.Cli;

/// <summary>
/// Counts the data bytes that arrive on the wire while it is alive, from the client's own meter
/// (<c>bytestream.client.data.received</c>): for a compressed download, the zstd bytes behind the plain ones the
/// file gets, which the summary turns into a compression ratio. The tool runs one transfer at a time.
/// </summary>
internal sealed class ReceivedBytes : IDisposable
{
    private const string Instrument = "bytestream.client.data.received";

    private readonly MeterListener _listener = new();
    private long _total;

    public ReceivedBytes()
    {
        _listener.InstrumentPublished = static (instrument, listener) =>
        {
            if (instrument.Meter.Name == ByteStreamDiagnostics.MeterName && instrument.Name == Instrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, bytes, _, _) => Interlocked.Add(ref _total, bytes));
        _listener.Start();
    }

    /// <summary>Gets the data bytes received so far.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
