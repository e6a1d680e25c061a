using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Bytestream.Testing;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Tests.Security;

/// <summary>
/// Header values and payload bytes never reach the client's logs (messages and the exceptions logged with
/// them), its activities (tags and events), or the exceptions it throws, whatever happens on the way.
/// </summary>
[Category("Security")]
public class SecretsNotLoggedTests : ServerTestBase
{
    private const int Chunk = 64 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Test]
    public async Task TransfersThroughRetriesResumesAndFailures_NeverLogOrTraceHeaderValuesOrPayload()
    {
        var secrets = new[] { $"SECRET-TOKEN-{Guid.NewGuid():N}", $"SECRET-KEY-{Guid.NewGuid():N}", $"SECRET-BINARY-{Guid.NewGuid():N}" };
        var headers = new Metadata
        {
            { "authorization", "Bearer " + secrets[0] },
            { "x-api-key", secrets[1] },
            { "build.bazel.remote.execution.v2.requestmetadata-bin", Encoding.ASCII.GetBytes(secrets[2]) },
        };
        var payloadMarker = $"SECRET-PAYLOAD-{Guid.NewGuid():N}-";
        var payload = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(payloadMarker, (8 * Chunk / payloadMarker.Length) + 1)));
        using var log = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Trace));
        using var traces = new CapturingActivityListener();
        var client = CreateClient(o => { o.ChunkSize = Chunk; o.LoggerFactory = loggerFactory; o.StallTimeout = TimeSpan.FromMilliseconds(200); });
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable);
        Server.Faults.CutWrite(afterBytes: 3 * Chunk);
        Server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.Internal);
        Server.Faults.CutRead(afterBytes: 2 * Chunk);
        Server.Faults.StallNext(ByteStreamMethod.Read, afterBytes: Chunk);
        Server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.PermissionDenied, resourceName: "secret/denied");

        await client.UploadAsync("secret/blob", new ForwardOnlyReadStream(payload), new UploadOptions { Headers = headers }).WaitAsync(Bound);
        await using (var stream = client.OpenWrite("secret/stream", new UploadOptions { Headers = headers }))
        {
            await stream.WriteAsync(payload).AsTask().WaitAsync(Bound);
        }

        var back = new MemoryStream();
        await client.DownloadAsync("secret/blob", back, new DownloadOptions { Headers = headers }).WaitAsync(Bound);
        var denied = Assert.ThrowsAsync<RpcException>(() => client.UploadAsync("secret/denied", payload, new UploadOptions { Headers = headers }).WaitAsync(Bound));

        var texts = log.Texts.Concat(traces.Texts).Append(denied!.ToString()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(back.ToArray(), Is.EqualTo(payload));
            Assert.That(log.Texts, Has.Count.GreaterThan(10), "the transfers were logged");
            Assert.That(traces.Texts, Is.Not.Empty, "the transfers were traced");
            Assert.That(log.Texts, Has.Some.Contains("Unavailable"), "retries were logged");
            foreach (var secret in secrets.Append(payloadMarker))
            {
                Assert.That(texts, Has.None.Contains(secret), secret);
            }
        });
    }

    /// <summary>Keeps every log message with the full text of the exception logged with it.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _texts = new();

        public IReadOnlyList<string> Texts => [.. _texts];

        public ILogger CreateLogger(string categoryName) => new Logger(_texts);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> texts) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                texts.Enqueue($"{formatter(state, exception)} {values} {exception}");
            }
        }
    }

    /// <summary>Keeps the name, tags and events of every activity of the client's ActivitySource.</summary>
    private sealed class CapturingActivityListener : IDisposable
    {
        private readonly ConcurrentQueue<string> _texts = new();
        private readonly ActivityListener _listener;

        public CapturingActivityListener()
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = source => source.Name == ByteStreamDiagnostics.ActivitySourceName,
                Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = activity => _texts.Enqueue(
                    $"{activity.DisplayName} {activity.StatusDescription} " +
                    string.Join(" ", activity.TagObjects.Select(t => $"{t.Key}={t.Value}")) + " " +
                    string.Join(" ", activity.Events.Select(e => $"{e.Name} {string.Join(" ", e.Tags.Select(t => $"{t.Key}={t.Value}"))}"))),
            };
            ActivitySource.AddActivityListener(_listener);
        }

        public IReadOnlyList<string> Texts => [.. _texts];

        public void Dispose() => _listener.Dispose();
    }
}
