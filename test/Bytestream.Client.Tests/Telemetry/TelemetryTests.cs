using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Telemetry;

/// <summary>Spans per operation and per attempt, and the meter's instruments, as a listener sees them.</summary>
public class TelemetryTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;

    private readonly ConcurrentQueue<Activity> _activities = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = new();
    private ActivityListener _activityListener = null!;
    private MeterListener _meterListener = null!;

    [SetUp]
    public void Listen()
    {
        _activities.Clear();
        _measurements.Clear();
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ByteStreamDiagnostics.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ByteStreamDiagnostics.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    [TearDown]
    public void StopListening()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
    }

    [Test]
    public async Task UploadAsync_WithACut_ReportsOneOperationSpanTwoAttemptSpansAndTheCounters()
    {
        var client = CreateClient(o => o.ChunkSize = Chunk);
        var data = TestData.Random(8 * Chunk);
        Server.Faults.CutWrite(afterBytes: 3 * Chunk);

        var result = await client.UploadAsync("blobs/traced", data).DefaultTimeout();

        var operation = _activities.Single(a => a.OperationName == "bytestream.upload");
        var attempts = _activities.Where(a => a.OperationName == "bytestream.write").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(operation.GetTagItem("bytestream.resource_name"), Is.EqualTo("blobs/traced"));
            Assert.That(operation.GetTagItem("bytestream.bytes"), Is.EqualTo(result.BytesSent));
            Assert.That(operation.GetTagItem("bytestream.committed_size"), Is.EqualTo((long)data.Length));
            Assert.That(operation.GetTagItem("bytestream.resumes"), Is.EqualTo(1));
            Assert.That(operation.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(attempts, Has.Count.EqualTo(2));
            Assert.That(attempts.Select(a => a.ParentSpanId), Is.All.EqualTo(operation.SpanId));
            Assert.That(attempts.Select(a => a.GetTagItem("bytestream.offset")), Is.EqualTo(new object[] { 0L, 3L * Chunk }));
            Assert.That(attempts[0].Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(attempts[0].GetTagItem("rpc.grpc.status_code"), Is.EqualTo((int)StatusCode.Unavailable));
            Assert.That(Sum("bytestream.client.data.sent"), Is.EqualTo(result.BytesSent));
            Assert.That(Sum("bytestream.client.resumes"), Is.EqualTo(1));
            Assert.That(Sum("bytestream.client.retries"), Is.EqualTo(1));
            Assert.That(Durations("upload"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task DownloadAsync_WithACut_ReportsTheOperationAttemptsAndBytesReceived()
    {
        var client = CreateClient();
        var data = TestData.Random(5 * Chunk);
        Server.SetResource("blobs/read-traced", data);
        Server.Faults.CutRead(afterBytes: 2 * Chunk);

        var bytes = await client.DownloadAsync("blobs/read-traced", new MemoryStream()).DefaultTimeout();

        var operation = _activities.Single(a => a.OperationName == "bytestream.download");
        Assert.Multiple(() =>
        {
            Assert.That(bytes, Is.EqualTo(data.Length));
            Assert.That(operation.GetTagItem("bytestream.bytes"), Is.EqualTo((long)data.Length));
            Assert.That(operation.GetTagItem("bytestream.resumes"), Is.EqualTo(1));
            Assert.That(_activities.Count(a => a.OperationName == "bytestream.read"), Is.EqualTo(2));
            Assert.That(Sum("bytestream.client.data.received"), Is.EqualTo(data.Length));
            Assert.That(Sum("bytestream.client.resumes"), Is.EqualTo(1));
            Assert.That(Durations("download"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public void UploadAsync_Failing_EndsTheOperationSpanAsAnErrorWithItsType()
    {
        var client = CreateClient();
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.PermissionDenied);

        Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("blobs/denied", TestData.Random(10)).DefaultTimeout());

        var operation = _activities.Single(a => a.OperationName == "bytestream.upload");
        Assert.Multiple(() =>
        {
            Assert.That(operation.Status, Is.EqualTo(ActivityStatusCode.Error));
            Assert.That(operation.GetTagItem("error.type"), Is.EqualTo("PermissionDenied"));
            Assert.That(Durations("upload").Single().Tags["error.type"], Is.EqualTo("PermissionDenied"));
        });
    }

    [Test]
    public async Task QueryWriteStatusAsync_ReportsItsOwnOperation()
    {
        var client = CreateClient();
        await client.UploadAsync("blobs/queried", TestData.Random(10)).DefaultTimeout();

        await client.QueryWriteStatusAsync("blobs/queried").DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(_activities.Single(a => a.OperationName == "bytestream.query_write_status").GetTagItem("bytestream.committed_size"), Is.EqualTo(10L));
            Assert.That(Durations("query_write_status"), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task OpenRead_DisposedBeforeTheEnd_EndsTheSpanAsAborted()
    {
        var client = CreateClient();
        Server.SetResource("blobs/abandoned", TestData.Random(4 * Chunk));

        await using (var stream = client.OpenRead("blobs/abandoned"))
        {
            Assert.That(await stream.ReadAsync(new byte[100]).AsTask().DefaultTimeout(), Is.GreaterThan(0));
        }

        Assert.That(_activities.Single(a => a.OperationName == "bytestream.download").GetTagItem("error.type"), Is.EqualTo("aborted"));
    }

    [Test]
    public async Task Spans_DoNotBecomeTheCallersCurrentActivity()
    {
        var client = CreateClient();
        using var callerActivity = new Activity("caller").Start();

        await client.UploadAsync("blobs/current", TestData.Random(10)).DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(Activity.Current, Is.SameAs(callerActivity));
            Assert.That(_activities.Single(a => a.OperationName == "bytestream.upload").ParentId, Is.EqualTo(callerActivity.Id));
        });
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>();
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue((instrument.Name, value, copy));
    }

    private double Sum(string instrument) => _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    private List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Durations(string operation) =>
        [.. _measurements.Where(m => m.Instrument == "bytestream.client.operation.duration" && Equals(m.Tags["bytestream.operation"], operation))];
}
