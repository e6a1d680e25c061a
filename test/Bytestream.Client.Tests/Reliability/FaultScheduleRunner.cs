using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Runtime.ExceptionServices;
using Bytestream.Testing;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>What one schedule did, and what was wrong with it (null when its outcome was allowed).</summary>
internal sealed record ScheduleOutcome(FaultSchedule Schedule, Exception? Error, long BytesVerified, TimeSpan Elapsed, string? Violation)
{
    /// <summary>Gets the client's log and the server's calls of a schedule that broke the invariant.</summary>
    public string Details { get; init; } = "";
}

/// <summary>
/// Runs <see cref="FaultSchedule"/>s against one test server whose mood is already set: arms each schedule's
/// faults on its own resource name, runs the transfer with a client of its own on the shared channel, and
/// checks the outcome against the schedule's <see cref="Expectation"/> and the data by SHA-256.
/// </summary>
internal sealed class FaultScheduleRunner(ByteStreamTestServer server, ChannelBase channel)
{
    /// <summary>A schedule without an outcome after this long is a hang (the slowest allowed one takes about 3 s).</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(20);

    /// <summary>Gets whether every outcome keeps its details (a single replayed seed), not only violations.</summary>
    public bool KeepDetails { get; init; }

    /// <summary>
    /// Opens the channel's connection and runs each kind of transfer once (plain and compressed uploads from memory,
    /// a non-seekable stream and a write stream; plain and compressed reads), fault-free and without a stall timer,
    /// on names no schedule uses. Without it the first schedules of a cold process pay for JIT compilation (Kestrel,
    /// gRPC, zstd) under their 250 ms stall timer: in the exhaustive run, alone in its process, seed 11's Write and
    /// both QueryWriteStatus calls reached the server only after the client had given up on each.
    /// </summary>
    /// <returns>For the compressed read and the plain one, whether it gave the bytes uploaded.</returns>
    public static async Task<bool[]> WarmUpAsync(ChannelBase channel, int id)
    {
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
        var data = TestData.Text(20_000, id);
        var digest = $"{TestData.Sha256(data)}/{data.Length}";
        await client.UploadAsync($"warm-up/{id}/uploads/{Guid.NewGuid()}/compressed-blobs/zstd/{digest}", data).DefaultTimeout();
        await client.UploadAsync($"warm-up/{id}/plain", new ForwardOnlyReadStream(data)).DefaultTimeout();
        await using (var stream = client.OpenWrite($"warm-up/{id}/uploads/{Guid.NewGuid()}/compressed-blobs/zstd/{digest}"))
        {
            await stream.WriteAsync(data).AsTask().DefaultTimeout();
            await stream.CompleteAsync().DefaultTimeout();
        }

        var compressed = await client.ReadAllBytesAsync($"warm-up/{id}/compressed-blobs/zstd/{digest}").DefaultTimeout();
        var plain = await client.ReadAllBytesAsync($"warm-up/{id}/plain").DefaultTimeout();
        return [TestData.Sha256(compressed) == TestData.Sha256(data), TestData.Sha256(plain) == TestData.Sha256(data)];
    }

    public async Task<ScheduleOutcome> RunAsync(FaultSchedule schedule)
    {
        // Every schedule logs, so a violation shows what the client did.
        using var log = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Trace));
        var outcome = await RunAsync(schedule, loggerFactory);
        return outcome.Violation is null && !KeepDetails ? outcome : outcome with { Details = Details(schedule, log) };
    }

    private async Task<ScheduleOutcome> RunAsync(FaultSchedule schedule, ILoggerFactory loggerFactory)
    {
        try
        {
            await PrepareAsync(schedule);
        }
        catch (RpcException ex)
        {
            return new ScheduleOutcome(schedule, ex, 0, TimeSpan.Zero, $"the test could not prepare the server: {ex.Status}");
        }

        foreach (var fault in schedule.Faults)
        {
            fault.Arm(server.Faults, schedule.WireName);
        }

        var options = new ByteStreamClientOptions
        {
            ChunkSize = schedule.IsUpload ? schedule.ChunkSize : ByteStreamClientOptions.DefaultChunkSize,
            MaxRetryAttempts = schedule.MaxRetryAttempts,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.Zero,
            StallTimeout = schedule.StallTimeoutOption,
            LoggerFactory = loggerFactory,
            Compression = schedule is { Compression: ScheduleCompression.ChosenByClient, CompressionForAllCalls: true } ? BlobCompression.Zstd : BlobCompression.None,
        };
        if (schedule.MaxReplayBufferSize is { } replay)
        {
            options.MaxReplayBufferSize = replay;
        }

        var client = new ByteStreamClient(channel, options);

        // The token only fires after the hang limit, to clean up a hung transfer.
        using var cleanup = new CancellationTokenSource(HangLimit + TimeSpan.FromSeconds(10));
        var started = Stopwatch.GetTimestamp();
        var transfer = schedule.IsUpload ? UploadAsync(schedule, client, cleanup.Token) : ReadAsync(schedule, client, cleanup.Token);
        try
        {
            await transfer.WaitAsync(HangLimit);
        }
        catch (TimeoutException) when (!transfer.IsCompleted)
        {
            await cleanup.CancelAsync();
            return new ScheduleOutcome(schedule, null, 0, Stopwatch.GetElapsedTime(started), $"no outcome within {HangLimit.TotalSeconds} s: a hang");
        }
        catch (Exception)
        {
            // The outcome is inspected below.
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var (result, violation) = transfer.IsCompletedSuccessfully ? transfer.Result : default;
        var error = transfer.Exception?.InnerException;
        violation ??= error is null ? CheckSuccess(schedule, result) : CheckFailure(schedule, error);
        return new ScheduleOutcome(schedule, error, error is null && violation is null ? Verified(schedule) : 0, elapsed, violation);
    }

    private string Details(FaultSchedule schedule, RecordingLoggerProvider log)
    {
        var text = new StringBuilder();
        text.AppendLine("  client log:");
        foreach (var entry in log.Entries)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"    [{entry.EventId.Id}] {entry.Message}");
        }

        text.AppendLine("  server calls:");
        var requests = server.WriteRequests;
        // Every name of a schedule starts so: a compressed upload restarts under fresh upload ids, a fallback goes plain.
        var prefix = $"rel/{schedule.Seed}/";
        foreach (var call in server.Calls.Where(c => c.ResourceName.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var writes = requests.Where(r => r.CallId == call.CallId).Select(r => $"{r.WriteOffset}+{r.DataLength}{(r.FinishWrite ? " finish" : "")}");
            var name = call.ResourceName == schedule.WireName ? "" : $" '{call.ResourceName}'";
            text.AppendLine(CultureInfo.InvariantCulture, $"    #{call.CallId} {call.Method}{name} -> {call.Status?.ToString() ?? "running"} [{string.Join(", ", writes)}]");
        }

        return text.ToString();
    }

    private static long Verified(FaultSchedule schedule) => schedule.IsUpload ? schedule.Data.Length : schedule.ExpectedRead.Length;

    /// <summary>Stores what the schedule needs on the server before its faults are armed.</summary>
    private async Task PrepareAsync(FaultSchedule schedule)
    {
        if (schedule.IsUpload)
        {
            if (schedule.StoredBeforehand)
            {
                server.SetResource(schedule.StoredName, schedule.Data);
            }

            if (schedule.CommittedPrefix > 0)
            {
                // A compressed upload's committed bytes are a prefix of its zstd frame.
                var sent = schedule.CompressedOnWire ? TestData.Zstd(schedule.Data) : schedule.Data;
                await WritePrefixAsync(schedule.WireName, sent.AsMemory(0, schedule.CommittedPrefix));
            }
        }
        else if (!schedule.ResourceMissing)
        {
            server.SetResource(schedule.StoredName, schedule.Data);
        }
    }

    /// <summary>An earlier process's upload that stopped without finish_write: the prefix stays committed.</summary>
    private async Task WritePrefixAsync(string name, ReadOnlyMemory<byte> prefix)
    {
        var stub = new ByteStream.ByteStreamClient(channel);
        using var call = stub.Write();
        await call.RequestStream.WriteAsync(new WriteRequest { ResourceName = name, WriteOffset = 0, Data = ByteString.CopyFrom(prefix.Span) }).DefaultTimeout();
        await call.RequestStream.CompleteAsync().DefaultTimeout();
        await call.ResponseAsync.DefaultTimeout();
    }

    private static async Task<(object? Result, string? Violation)> UploadAsync(FaultSchedule s, ByteStreamClient client, CancellationToken cancellationToken)
    {
        var options = new UploadOptions { ResumeExistingUpload = s.ResumeExistingUpload, ExpectedLength = s.ExpectedLengthOption, Compression = CompressionPerCall(s) };
        switch (s.Path)
        {
            case TransferPath.MemoryUpload:
                return (await client.UploadAsync(s.ResourceName, s.Data, options, cancellationToken), null);
            case TransferPath.SeekableUpload:
                // Bytes before the source's position are not part of the upload.
                var buffer = new byte[s.SourceOffset + s.Data.Length];
                buffer.AsSpan(0, s.SourceOffset).Fill(0xEE);
                s.Data.CopyTo(buffer, s.SourceOffset);
                using (var seekable = new MemoryStream(buffer) { Position = s.SourceOffset })
                {
                    return (await client.UploadAsync(s.ResourceName, seekable, options, cancellationToken), null);
                }

            case TransferPath.NonSeekableUpload:
                return (await client.UploadAsync(s.ResourceName, new ForwardOnlyReadStream(s.Data), options, cancellationToken), null);
            default:
                return await WriteStreamAsync(s, client.OpenWrite(s.ResourceName, options), cancellationToken);
        }
    }

    /// <summary>Writes in pieces of random sizes with random flushes, then completes (or lets disposal complete).</summary>
    private static async Task<(object? Result, string? Violation)> WriteStreamAsync(FaultSchedule s, ByteStreamWriteStream stream, CancellationToken cancellationToken)
    {
        var rng = new Random(s.Seed);
        UploadResult? result = null;
        Exception? failure = null;
        try
        {
            for (var position = 0; position < s.Data.Length;)
            {
                var count = Math.Min(rng.Next(1, (2 * s.ChunkSize) + 1), s.Data.Length - position);
                await stream.WriteAsync(s.Data.AsMemory(position, count), cancellationToken);
                position += count;
                if (rng.Next(8) == 0)
                {
                    await stream.FlushAsync(cancellationToken);
                }
            }

            if (s.Variant % 2 == 0)
            {
                result = await stream.CompleteAsync(cancellationToken);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        var disposalThrew = false;
        try
        {
            await stream.DisposeAsync();
        }
        catch (ByteStreamException ex) when (failure is not null)
        {
            // Documented: disposal after a failed write sends no finish_write and throws ByteStreamException.
            if (ex.InnerException != failure)
            {
                return (null, $"disposal after '{failure.GetType().Name}: {failure.Message}' threw a ByteStreamException that does not wrap it: {ex}");
            }

            disposalThrew = true;
        }
        catch (Exception ex) when (failure is null)
        {
            // The upload completed through disposal, and that failed.
            failure = ex;
            disposalThrew = true;
        }

        if (failure is not null)
        {
            if (!disposalThrew)
            {
                return (null, $"disposal after the failure '{failure.GetType().Name}: {failure.Message}' did not throw ByteStreamException");
            }

            ExceptionDispatchInfo.Throw(failure);
        }

        return (result ?? new UploadResult(stream.CommittedSize, -1, -1), null);
    }

    private static async Task<(object? Result, string? Violation)> ReadAsync(FaultSchedule s, ByteStreamClient client, CancellationToken cancellationToken)
    {
        var options = new DownloadOptions { Offset = s.ReadOffset, Limit = s.ReadLimit, ExpectedLength = s.ExpectedLengthOption, Compression = CompressionPerCall(s) };
        var plain = options is { ExpectedLength: null, Compression: null };
        if (s.Path == TransferPath.Download)
        {
            if (s.Variant == 0 && plain && s.ReadOffset == 0 && s.ReadLimit == 0)
            {
                return (await client.ReadAllBytesAsync(s.ResourceName, cancellationToken), null);
            }

            using var destination = new MemoryStream();
            var count = await client.DownloadAsync(s.ResourceName, destination, options, cancellationToken);
            return count == destination.Length
                ? (destination.ToArray(), null)
                : (null, $"DownloadAsync returned {count} but wrote {destination.Length} bytes");
        }

        await using var stream = s.Variant == 0 && plain
            ? client.OpenRead(s.ResourceName, s.ReadOffset, s.ReadLimit)
            : client.OpenRead(s.ResourceName, options);
        var rng = new Random(s.Seed);
        var bytes = new MemoryStream();
        var buffer = new byte[3000];
        while (true)
        {
            var position = stream.Position;
            var read = await stream.ReadAsync(buffer.AsMemory(0, rng.Next(1, buffer.Length + 1)), cancellationToken);
            if (read == 0)
            {
                return (bytes.ToArray(), null);
            }

            if (position != s.ReadOffset + bytes.Length)
            {
                return (null, $"the read stream's Position was {position} after {bytes.Length} bytes from offset {s.ReadOffset}");
            }

            bytes.Write(buffer, 0, read);
        }
    }

    /// <summary>UploadOptions/DownloadOptions.Compression: zstd when the schedule has the client choose it per call.</summary>
    private static BlobCompression? CompressionPerCall(FaultSchedule s) =>
        s is { Compression: ScheduleCompression.ChosenByClient, CompressionForAllCalls: false } ? BlobCompression.Zstd : null;

    private string? CheckSuccess(FaultSchedule s, object? result)
    {
        if (!s.Expectation.SuccessAllowed)
        {
            return $"succeeded, but must fail with {s.Expectation}";
        }

        if (!s.IsUpload)
        {
            var bytes = (byte[])result!;
            var expected = s.ExpectedRead.Span;
            return bytes.Length == expected.Length && TestData.Sha256(bytes) == TestData.Sha256(expected)
                ? null
                : $"read {bytes.Length} bytes (SHA-256 {TestData.Sha256(bytes)}), expected {expected.Length} (SHA-256 {TestData.Sha256(expected)})";
        }

        var upload = (UploadResult)result!;
        if (!server.TryGetResource(s.StoredName, out var stored))
        {
            return "the upload reported success, but the server holds no complete resource";
        }

        if (TestData.Sha256(stored) != TestData.Sha256(s.Data))
        {
            return $"the server holds {stored.Length} bytes that differ from the {s.Data.Length} uploaded";
        }

        // -1 is what REAPI servers answer for a blob that exists. ALREADY_EXISTS says no size at all: a client
        // that does not know the length reports how far it had got (see docs/reliability.md). A compressed upload
        // reports the uncompressed size, whatever the server answered.
        var earlyMinusOne = !s.CompressedOnWire && s.Faults.Any(f => f.Kind == FaultKind.EndEarly && f.CommittedSize == -1);
        var sizeUnknowable = !s.LengthKnownToClient && s.Faults.Any(f => f.Status == StatusCode.AlreadyExists);
        if (upload.CommittedSize != s.Data.Length && !(earlyMinusOne && upload.CommittedSize == -1)
            && !(sizeUnknowable && upload.CommittedSize >= 0 && upload.CommittedSize <= s.Data.Length))
        {
            return $"UploadResult.CommittedSize is {upload.CommittedSize}, not {s.Data.Length}";
        }

        // Compressed, the bytes on the wire are the frame's.
        var wireLength = s.CompressedOnWire ? upload.CompressedSize : s.Data.Length;
        if (s.Faults.Count == 0 && !s.ResumeExistingUpload && upload.BytesSent >= 0
            && (upload.BytesSent != wireLength || upload.Resumes != 0))
        {
            return $"a fault-free upload sent {upload.BytesSent} bytes with {upload.Resumes} resumes, not {wireLength} with 0";
        }

        return null;
    }

    private string? CheckFailure(FaultSchedule s, Exception error)
    {
        if (s.IsUpload && server.TryGetResource(s.StoredName, out var stored) && TestData.Sha256(stored) != TestData.Sha256(s.Data))
        {
            return $"the upload failed and left a complete but different resource of {stored.Length} bytes: {error}";
        }

        var expectation = s.Expectation;
        return error switch
        {
            RpcException rpc when expectation.Statuses.Contains(rpc.StatusCode) => null,

            // A REAPI name states its size: an offset past it is refused before any call.
            ArgumentOutOfRangeException when !s.IsUpload && s.ReadOffset > s.Data.Length && BlobResourceName.TryParse(s.ResourceName, out _) => null,
            ByteStreamException e when expectation.ByteStreamErrors.Any(kind => e.Message.Contains(kind, StringComparison.Ordinal)) => null,
            _ => $"failed with {error.GetType().Name}{(error is RpcException r ? $"({r.StatusCode})" : "")}, allowed: {expectation}: {error}",
        };
    }
}
