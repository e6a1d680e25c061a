using System.Globalization;
using System.Text;
using Bytestream.Client.Internal;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>The transfer a schedule runs: every upload path and every read path of the client.</summary>
internal enum TransferPath
{
    SeekableUpload,
    NonSeekableUpload,
    MemoryUpload,
    WriteStream,
    Download,
    ReadStream,
}

/// <summary>The <see cref="ByteStreamException"/>s a schedule may end with, by what their message says.</summary>
internal static class ByteStreamError
{
    /// <summary>A non-seekable upload whose replay buffer or skipped prefix no longer holds what the server lacks.</summary>
    public const string CannotResume = "cannot resume";

    /// <summary>Write calls the server ended with OK, unfinished, more times in a row than the retry budget, without progress.</summary>
    public const string WriteEndedEarly = "before the upload was finished";

    /// <summary>A Read cut with OK before the expected length.</summary>
    public const string EndedEarly = "expected bytes";

    /// <summary>
    /// An early OK with a partial size that raced with finish_write, for a resource that turns out complete
    /// (stored by "another client"): the client cannot tell it from a wrong answer to finish_write.
    /// </summary>
    public const string WrongFinalSize = "finished the upload with committed_size";

    /// <summary>
    /// The server said it knew nothing of the upload (NOT_FOUND/UNIMPLEMENTED, so the client started at 0), then
    /// reported the bytes an earlier process had committed: more than this client sent.
    /// </summary>
    public const string CommittedBeyondSent = "bytes were sent";

    /// <summary>A compressed Read whose stream does not decode: cut with OK inside its zstd frame.</summary>
    public const string BadCompressedData = "zstd data read from";
}

/// <summary>What a schedule may end with: the outcomes its faults allow, decided before it runs.</summary>
/// <param name="SuccessAllowed">Whether success (with identical data) is allowed.</param>
/// <param name="Statuses">The statuses an <see cref="RpcException"/> may carry.</param>
/// <param name="ByteStreamErrors">The <see cref="ByteStreamError"/> kinds a <see cref="ByteStreamException"/> may be.</param>
internal sealed record Expectation(bool SuccessAllowed, IReadOnlySet<StatusCode> Statuses, IReadOnlySet<string> ByteStreamErrors)
{
    public override string ToString()
    {
        var parts = new List<string>();
        if (SuccessAllowed)
        {
            parts.Add("success");
        }

        if (Statuses.Count > 0)
        {
            parts.Add($"RpcException({string.Join("|", Statuses.Order())})");
        }

        parts.AddRange(ByteStreamErrors.Order().Select(e => $"ByteStreamException(\"{e}\")"));
        return string.Join(" or ", parts);
    }
}

/// <summary>
/// One randomized fault schedule: a transfer over one path, the server mood, client settings and the
/// faults armed on the schedule's own resource name, all derived from <see cref="Seed"/>; and the
/// <see cref="Expectation"/> that follows from them.
/// </summary>
internal sealed class FaultSchedule
{
    /// <summary>Data bytes per ReadResponse of the server the schedules run on.</summary>
    public const int ReadChunkSize = 1000;

    /// <summary>The StallTimeout of schedules with stalls: short, so a stall costs little.</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly StatusCode[] RetryableStatuses =
        [StatusCode.Unavailable, StatusCode.Unknown, StatusCode.DeadlineExceeded, StatusCode.Aborted, StatusCode.Internal, StatusCode.ResourceExhausted, StatusCode.Cancelled];

    private static readonly StatusCode[] FatalStatuses =
        [StatusCode.InvalidArgument, StatusCode.FailedPrecondition, StatusCode.PermissionDenied, StatusCode.Unauthenticated, StatusCode.OutOfRange, StatusCode.DataLoss, StatusCode.NotFound, StatusCode.Unimplemented];

    /// <summary>The status a client sees for a stream the server reset with INTERNAL_ERROR.</summary>
    private const StatusCode ResetStatus = StatusCode.Internal;

    private FaultSchedule(int seed) => Seed = seed;

    public int Seed { get; }

    public TransferPath Path { get; private init; }

    public ServerMood Mood { get; private init; }

    public bool IsUpload => Path is not (TransferPath.Download or TransferPath.ReadStream);

    /// <summary>The resource's whole content (uploads send all of it; reads read a range of it).</summary>
    public byte[] Data { get; private set; } = [];

    /// <summary>The name the caller gives.</summary>
    public string ResourceName { get; private set; } = "";

    /// <summary>How the transfer is compressed.</summary>
    public ScheduleCompression Compression { get; private set; }

    /// <summary>Whether <see cref="ScheduleCompression.ChosenByClient"/> is set on the client's options rather than per call.</summary>
    public bool CompressionForAllCalls { get; private set; }

    /// <summary>Whether <see cref="Data"/> is text that compresses (else random bytes).</summary>
    public bool Compressible { get; private set; }

    /// <summary>
    /// The name the client's first call carries, on which the faults are armed: the compressed form of a
    /// <see cref="ScheduleCompression.ChosenByClient"/> name where the client compresses. A compressed upload that
    /// restarts under a fresh upload id, or a fallback to the plain name, leaves the faults not yet taken unfired.
    /// </summary>
    public string WireName { get; private set; } = "";

    /// <summary>Gets whether the transfer goes compressed on the wire (until a fallback).</summary>
    public bool CompressedOnWire => WireName.Contains("/compressed-blobs/zstd/", StringComparison.Ordinal);

    /// <summary>
    /// The name under which the server holds the data, uncompressed: the caller's name, or for a compressed schedule
    /// the REAPI read name <c>rel/{seed}/blobs/{hash}/{size}</c> (the server stores compressed uploads decoded there).
    /// </summary>
    public string StoredName { get; private set; } = "";

    public int ChunkSize { get; private init; } = 1024;

    public int MaxRetryAttempts { get; private init; }

    public TimeSpan? StallTimeoutOption { get; private init; }

    public long? MaxReplayBufferSize { get; private init; }

    /// <summary>UploadOptions/DownloadOptions.ExpectedLength.</summary>
    public long? ExpectedLengthOption { get; private set; }

    public bool ResumeExistingUpload { get; private init; }

    /// <summary>Bytes an earlier (raw) Write left committed before the upload starts (of the zstd frame, when compressed on the wire).</summary>
    public int CommittedPrefix { get; private set; }

    /// <summary>Whether the whole resource is stored before the upload (another client finished it): early ends and ALREADY_EXISTS are then true.</summary>
    public bool StoredBeforehand { get; private init; }

    /// <summary>Garbage before the data in a seekable source, which starts at this position.</summary>
    public int SourceOffset { get; private init; }

    public long ReadOffset { get; private init; }

    public long ReadLimit { get; private set; }

    public bool ResourceMissing { get; private init; }

    /// <summary>Picks among the variants of a path (ReadAllBytes vs DownloadAsync, OpenRead overloads, how a write stream ends).</summary>
    public int Variant { get; private init; }

    public IReadOnlyList<ScheduledFault> Faults { get; private set; } = [];

    /// <summary>Whether the faults are a certain failure: more failures without progress than the retry budget.</summary>
    private bool Exhausting { get; init; }

    /// <summary>Gets whether the client knows an upload's length up front (REAPI name, ExpectedLength, seekable or memory source).</summary>
    public bool LengthKnownToClient =>
        ExpectedLengthOption is not null || ResourceName.Contains("/uploads/", StringComparison.Ordinal)
        || Path is TransferPath.SeekableUpload or TransferPath.MemoryUpload;

    public Expectation Expectation { get; private set; } = null!;

    /// <summary>The bytes a successful read returns.</summary>
    public ReadOnlyMemory<byte> ExpectedRead
    {
        get
        {
            var start = (int)Math.Min(ReadOffset, Data.Length);
            var count = Data.Length - start;
            return Data.AsMemory(start, ReadLimit > 0 ? (int)Math.Min(ReadLimit, count) : count);
        }
    }

    /// <summary>
    /// The schedule of <paramref name="seed"/>. Its compression is drawn last, so the rest is what the seed gave before
    /// compressed schedules existed; <paramref name="allowCompression"/> false gives that plain schedule (the known seeds).
    /// </summary>
    public static FaultSchedule Generate(int seed, bool allowCompression = true)
    {
        var rng = new Random(seed);
        var path = (TransferPath)rng.Next(6);
        var mood = (ServerMood)rng.Next(Enum.GetValues<ServerMood>().Length);
        var budget = Pick(rng, 0, 1, 1, 2, 2, 3, 3, 5);
        var schedule = path is TransferPath.Download or TransferPath.ReadStream
            ? GenerateRead(seed, rng, path, mood, budget)
            : GenerateUpload(seed, rng, path, mood, budget);
        var compression = rng.Next(6) switch
        {
            0 => ScheduleCompression.Name,
            1 => ScheduleCompression.ChosenByClient,
            _ => ScheduleCompression.None,
        };
        if (allowCompression && compression != ScheduleCompression.None)
        {
            schedule.Compress(rng, compression);
        }

        schedule.Expectation = schedule.IsUpload ? UploadExpectation(schedule) : ReadExpectation(schedule);
        return schedule;
    }

    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"seed {Seed}: {Path}, mood {Mood}, {Data.Length} bytes, '{ResourceName}', ");
        if (Compression != ScheduleCompression.None)
        {
            text.Append(CultureInfo.InvariantCulture, $"compression {Compression}{(Compression == ScheduleCompression.ChosenByClient ? CompressionForAllCalls ? " (client)" : " (per call)" : "")}, ");
            text.Append(CultureInfo.InvariantCulture, $"{(Compressible ? "text" : "random bytes")}, faults on '{WireName}', ");
        }

        if (IsUpload)
        {
            text.Append(CultureInfo.InvariantCulture, $"chunk {ChunkSize}, ");
            if (MaxReplayBufferSize is { } replay)
            {
                text.Append(CultureInfo.InvariantCulture, $"replay buffer {replay}, ");
            }

            if (ResumeExistingUpload)
            {
                text.Append(CultureInfo.InvariantCulture, $"ResumeExistingUpload after a committed prefix of {CommittedPrefix}, ");
            }

            if (StoredBeforehand)
            {
                text.Append("stored beforehand, ");
            }

            if (SourceOffset > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"source position {SourceOffset}, ");
            }
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"offset {ReadOffset}, limit {ReadLimit}, ");
            if (ResourceMissing)
            {
                text.Append("resource missing, ");
            }
        }

        if (ExpectedLengthOption is { } expected)
        {
            text.Append(CultureInfo.InvariantCulture, $"ExpectedLength {expected}, ");
        }

        text.Append(CultureInfo.InvariantCulture, $"variant {Variant}, MaxRetryAttempts {MaxRetryAttempts}, ");
        if (StallTimeoutOption is { } stall)
        {
            text.Append(CultureInfo.InvariantCulture, $"StallTimeout {stall.TotalMilliseconds} ms, ");
        }

        text.Append(CultureInfo.InvariantCulture, $"faults [{string.Join(", ", Faults)}]; allowed: {Expectation}");
        return text.ToString();
    }

    private static FaultSchedule GenerateUpload(int seed, Random rng, TransferPath path, ServerMood mood, int budget)
    {
        var chunk = Pick(rng, 128, 1000, 4096);
        var size = rng.Next(10) switch
        {
            0 => 0,
            1 => 1,
            2 or 3 => chunk * rng.Next(1, 5),
            _ => rng.Next(2, (6 * chunk) + 1),
        };
        var data = new byte[size];
        rng.NextBytes(data);
        var reapi = rng.Next(2) == 0;
        var uploadId = new Guid(Bytes(rng, 16));
        var name = reapi ? $"rel/{seed}/uploads/{uploadId}/blobs/{TestData.Sha256(data)}/{size}" : $"rel/{seed}/{path}";
        long? expectedLength = !reapi && rng.Next(3) == 0 ? size : null;
        var replayLimited = path is TransferPath.NonSeekableUpload or TransferPath.WriteStream && rng.Next(4) == 0;
        var resume = rng.Next(5) == 0;
        var prefix = resume && rng.Next(3) > 0 ? rng.Next(0, size + 1) : 0;
        var sourceOffset = path == TransferPath.SeekableUpload && rng.Next(3) == 0 ? rng.Next(1, 50) : 0;
        var variant = rng.Next(4);

        var faults = new List<ScheduledFault>();
        var stored = false;
        var exhaust = rng.Next(20) == 0;
        if (exhaust)
        {
            // Certain failure: more consecutive failures without progress than the budget allows.
            faults.Add(new ScheduledFault(FaultKind.Fail, ByteStreamMethod.Write, Pick(rng, RetryableStatuses), Times: budget + 1));
            resume = false;
            prefix = 0;
        }
        else
        {
            var count = Pick(rng, 0, 1, 1, 2, 2, 3, 3, 4);
            for (var i = 0; i < count; i++)
            {
                var times = rng.Next(6) == 0 ? 2 : 1;
                var roll = rng.Next(100);
                if (roll < 35)
                {
                    // Resets take the place of some cuts and draw the same numbers, so older seeds keep their schedules.
                    var status = AnyStatus(rng);
                    var after = rng.Next(0, size + 1);
                    faults.Add(roll < 30
                        ? new ScheduledFault(FaultKind.Cut, ByteStreamMethod.Write, status, after, times)
                        : new ScheduledFault(FaultKind.Reset, ByteStreamMethod.Write, ResetStatus, after, times));
                }
                else if (roll < 50)
                {
                    faults.Add(new ScheduledFault(FaultKind.Fail, ByteStreamMethod.Write, AnyStatus(rng), Times: times));
                }
                else if (roll < 62)
                {
                    var status = rng.Next(3) == 0 ? Pick(rng, StatusCode.NotFound, StatusCode.Unimplemented) : AnyStatus(rng);
                    faults.Add(new ScheduledFault(FaultKind.Fail, ByteStreamMethod.QueryWriteStatus, status, Times: times));
                }
                else if (roll < 70)
                {
                    faults.Add(new ScheduledFault(FaultKind.Stall, ByteStreamMethod.Write, StatusCode.OK, rng.Next(0, size + 1), times));
                }
                else if (roll < 75)
                {
                    faults.Add(new ScheduledFault(FaultKind.Stall, ByteStreamMethod.QueryWriteStatus, StatusCode.OK, Times: times));
                }
                else if (roll < 83 && size > 0)
                {
                    // An early OK with less than the whole resource: an interrupted attempt, not success.
                    faults.Add(new ScheduledFault(FaultKind.EndEarly, ByteStreamMethod.Write, StatusCode.OK, Times: times, CommittedSize: rng.Next(0, size)));
                }
                else if (!stored)
                {
                    // Another client finished the same blob: the server ends our Write early or refuses it.
                    stored = true;
                    faults.Add(rng.Next(4) switch
                    {
                        0 => new ScheduledFault(FaultKind.EndEarly, ByteStreamMethod.Write, StatusCode.OK),
                        1 => new ScheduledFault(FaultKind.EndEarly, ByteStreamMethod.Write, StatusCode.OK, CommittedSize: -1),
                        2 => new ScheduledFault(FaultKind.Cut, ByteStreamMethod.Write, StatusCode.AlreadyExists, rng.Next(0, size + 1)),
                        _ => new ScheduledFault(FaultKind.Fail, ByteStreamMethod.Write, StatusCode.AlreadyExists),
                    });
                }
            }
        }

        var stalls = faults.Any(f => f.Kind == FaultKind.Stall);
        return new FaultSchedule(seed)
        {
            Path = path,
            Mood = mood,
            Data = data,
            ResourceName = name,
            ChunkSize = chunk,
            MaxRetryAttempts = budget,
            StallTimeoutOption = stalls ? StallTimeout : null,
            MaxReplayBufferSize = replayLimited ? chunk * rng.Next(1, 4) : null,
            ExpectedLengthOption = expectedLength,
            ResumeExistingUpload = resume,
            CommittedPrefix = prefix,
            StoredBeforehand = stored,
            SourceOffset = sourceOffset,
            Variant = variant,
            Faults = faults,
            Exhausting = exhaust,
            WireName = name,
            StoredName = name,
        };
    }

    private static FaultSchedule GenerateRead(int seed, Random rng, TransferPath path, ServerMood mood, int budget)
    {
        var size = rng.Next(8) switch
        {
            0 => 0,
            1 => ReadChunkSize * rng.Next(1, 5),
            _ => rng.Next(1, (6 * ReadChunkSize) + 1),
        };
        var data = new byte[size];
        rng.NextBytes(data);
        var reapi = rng.Next(2) == 0;
        var name = reapi ? $"rel/{seed}/blobs/{TestData.Sha256(data)}/{size}" : $"rel/{seed}/{path}";
        var missing = rng.Next(40) == 0;
        var offsetRoll = rng.Next(40);
        long offset = offsetRoll == 0 ? size + rng.Next(1, 10) : offsetRoll < 10 ? rng.Next(0, size + 1) : 0;
        var remaining = Math.Max(0, size - offset);
        long limit = rng.Next(3) == 0 ? rng.Next(1, (int)remaining + 5) : 0;
        var count = limit > 0 ? Math.Min(limit, remaining) : remaining;
        long? expectedLength = !reapi && rng.Next(4) == 0 ? count : null;
        var lengthKnown = reapi || expectedLength is not null;
        var variant = rng.Next(3);

        var faults = new List<ScheduledFault>();
        var exhaust = rng.Next(20) == 0;
        if (exhaust)
        {
            faults.Add(new ScheduledFault(FaultKind.Fail, ByteStreamMethod.Read, Pick(rng, RetryableStatuses), Times: budget + 1));
        }
        else
        {
            var faultCount = Pick(rng, 0, 1, 1, 2, 2, 3, 3, 4);
            for (var i = 0; i < faultCount; i++)
            {
                var times = rng.Next(6) == 0 ? 2 : 1;
                var roll = rng.Next(100);
                if (roll < 50)
                {
                    // An OK cut truncates the stream: only a read that knows its length can tell. Resets take the
                    // place of some cuts and draw the same numbers, so older seeds keep their schedules.
                    var status = lengthKnown && rng.Next(12) == 0 ? StatusCode.OK : AnyStatus(rng);
                    var after = rng.Next(0, (int)count + 2);
                    faults.Add(roll < 45
                        ? new ScheduledFault(FaultKind.Cut, ByteStreamMethod.Read, status, after, times)
                        : new ScheduledFault(FaultKind.Reset, ByteStreamMethod.Read, ResetStatus, after, times));
                }
                else if (roll < 75)
                {
                    faults.Add(new ScheduledFault(FaultKind.Fail, ByteStreamMethod.Read, AnyStatus(rng), Times: times));
                }
                else
                {
                    faults.Add(new ScheduledFault(FaultKind.Stall, ByteStreamMethod.Read, StatusCode.OK, rng.Next(0, (int)count + 1), times));
                }
            }
        }

        return new FaultSchedule(seed)
        {
            Path = path,
            Mood = mood,
            Data = data,
            ResourceName = name,
            WireName = name,
            StoredName = name,
            MaxRetryAttempts = budget,
            StallTimeoutOption = faults.Any(f => f.Kind == FaultKind.Stall) ? StallTimeout : null,
            ExpectedLengthOption = expectedLength,
            ReadOffset = offset,
            ReadLimit = limit,
            ResourceMissing = missing,
            Variant = variant,
            Faults = faults,
            Exhausting = exhaust,
        };
    }

    /// <summary>
    /// Makes the schedule a compressed one: a REAPI name (<c>compressed-blobs/zstd/</c>, or <c>blobs/</c> with the client
    /// choosing zstd), for text or random bytes of the same size. Faults, sizes and settings stay as drawn, but for what
    /// a compressed transfer cannot take: a <c>compressed-blobs/</c> read has no limit (REAPI), and an early OK's partial
    /// committed size stays below the smallest zstd frame (10 bytes), so that it cannot pass for the whole frame's length.
    /// </summary>
    private void Compress(Random rng, ScheduleCompression compression)
    {
        Compression = compression;
        Compressible = rng.Next(2) == 0;
        CompressionForAllCalls = rng.Next(2) == 0;
        var uploadId = new Guid(Bytes(rng, 16));
        if (Compressible)
        {
            Data = TestData.Text(Data.Length, Seed);
        }

        if (!IsUpload && compression == ScheduleCompression.Name && ReadLimit > 0)
        {
            ReadLimit = 0;
            ExpectedLengthOption = ExpectedLengthOption is null ? null : ExpectedRead.Length;
        }

        var digest = $"{TestData.Sha256(Data)}/{Data.Length}";
        var plain = IsUpload ? $"rel/{Seed}/uploads/{uploadId}/blobs/{digest}" : $"rel/{Seed}/blobs/{digest}";
        var compressed = plain.Replace("/blobs/", "/compressed-blobs/zstd/", StringComparison.Ordinal);
        ResourceName = compression == ScheduleCompression.Name ? compressed : plain;

        // docs/reapi.md: the client compresses neither a write stream's plain name nor a read with a limit.
        var clientCompresses = IsUpload ? Path != TransferPath.WriteStream : ReadLimit == 0;
        WireName = compression == ScheduleCompression.Name || clientCompresses ? compressed : plain;
        StoredName = $"rel/{Seed}/blobs/{digest}";
        if (CompressedOnWire)
        {
            Faults = [.. Faults.Select(f => f is { Kind: FaultKind.EndEarly, CommittedSize: >= 10 } ? f with { CommittedSize = f.CommittedSize % 10 } : f)];
            CommittedPrefix = Math.Min(CommittedPrefix, TestData.Zstd(Data).Length - 1);
        }
    }

    /// <summary>
    /// Gets whether the client may go on under the plain name after a status of a server without zstd (UNIMPLEMENTED or
    /// INVALID_ARGUMENT) for a compressed name it chose: a read always may, an upload from memory or a seekable stream may
    /// (docs/reapi.md). The faults armed on the compressed name then no longer fire.
    /// </summary>
    private bool MayFallBackToPlain =>
        Compression == ScheduleCompression.ChosenByClient && CompressedOnWire
        && (!IsUpload || Path is TransferPath.MemoryUpload or TransferPath.SeekableUpload)
        && Faults.Any(f => f.Kind is FaultKind.Cut or FaultKind.Fail && f.Status is StatusCode.Unimplemented or StatusCode.InvalidArgument);

    /// <summary>The outcomes an upload's faults allow.</summary>
    private static Expectation UploadExpectation(FaultSchedule s)
    {
        var errors = new HashSet<string>();
        if (s.Path is TransferPath.NonSeekableUpload or TransferPath.WriteStream && (s.MaxReplayBufferSize is not null || s.CommittedPrefix > 0))
        {
            errors.Add(ByteStreamError.CannotResume);
        }

        if (s.Exhausting)
        {
            // Plain or compressed alike: the server took none of the bytes (FailNext), so no attempt progressed.
            return new Expectation(false, new HashSet<StatusCode> { s.Faults[0].Status }, errors);
        }

        // The first Write call takes the first FailNext(Write): a fatal status there ends the upload for sure,
        // unless QueryWriteStatus may say "complete" before the client sees it (a resource stored beforehand,
        // asked about by ResumeExistingUpload or when the replay buffer fills) or may fail first.
        var firstWriteFailure = s.Faults.FirstOrDefault(f => f.Kind == FaultKind.Fail && f.Method == ByteStreamMethod.Write);
        if (!s.ResumeExistingUpload && !s.StoredBeforehand && firstWriteFailure is { MeansComplete: false } && !IsRetryable(firstWriteFailure.Status) && !s.MayFallBackToPlain)
        {
            return new Expectation(false, new HashSet<StatusCode> { firstWriteFailure.Status }, new HashSet<string>());
        }

        var (fatal, retryable, mayExhaust) = Classify(s);
        var partialEarlyEnd = s.Faults.Any(f => f.Kind == FaultKind.EndEarly && !f.MeansComplete);
        if (partialEarlyEnd || (!s.LengthKnownToClient && s.Faults.Any(f => f.Kind == FaultKind.EndEarly && f.CommittedSize is null)))
        {
            // An early OK with another size than the whole is an interrupted attempt, resumed at once. So is one with
            // the stored size when the client does not know the length: only QueryWriteStatus can say it is complete.
            // More of them in a row than MaxRetryAttempts, without progress, end the upload (no status was failed).
            errors.Add(ByteStreamError.WriteEndedEarly);
        }

        if (partialEarlyEnd && s.StoredBeforehand)
        {
            errors.Add(ByteStreamError.WrongFinalSize);
        }

        if (s.CommittedPrefix > 0 && s.Faults.Any(f => f.MeansUnknownWriteStatus))
        {
            errors.Add(ByteStreamError.CommittedBeyondSent);
        }

        return new Expectation(true, mayExhaust ? [.. fatal, .. retryable] : fatal, errors);
    }

    /// <summary>The outcomes a read's faults allow.</summary>
    private static Expectation ReadExpectation(FaultSchedule s)
    {
        if (s.Exhausting)
        {
            return new Expectation(false, new HashSet<StatusCode> { s.Faults[0].Status }, new HashSet<string>());
        }

        var firstFailure = s.Faults.FirstOrDefault(f => f.Kind == FaultKind.Fail);
        if (firstFailure is not null && !IsRetryable(firstFailure.Status) && !s.MayFallBackToPlain)
        {
            return new Expectation(false, new HashSet<StatusCode> { firstFailure.Status }, new HashSet<string>());
        }

        var (fatal, retryable, mayExhaust) = Classify(s);
        var statuses = mayExhaust ? [.. fatal, .. retryable] : fatal;
        // A compressed stream cut with OK mostly ends inside its zstd frame.
        var errors = s.Faults.Any(f => f.Kind == FaultKind.Cut && f.Status == StatusCode.OK)
            ? s.CompressedOnWire ? new HashSet<string> { ByteStreamError.EndedEarly, ByteStreamError.BadCompressedData } : new HashSet<string> { ByteStreamError.EndedEarly }
            : new HashSet<string>();
        if (s.ResourceMissing)
        {
            statuses.Add(StatusCode.NotFound);
            return new Expectation(false, statuses, new HashSet<string>());
        }

        if (s.ReadOffset > s.Data.Length)
        {
            statuses.Add(StatusCode.OutOfRange);
            return new Expectation(false, statuses, new HashSet<string>());
        }

        return new Expectation(true, statuses, errors);
    }

    /// <summary>
    /// Splits the statuses the faults inject into fatal and retryable ones, and says whether the retryable
    /// ones may outlast the budget: that takes more failing attempts than <see cref="MaxRetryAttempts"/>
    /// (one more is allowed for when a stall timer fires on a merely slow, loaded machine).
    /// </summary>
    private static (HashSet<StatusCode> Fatal, HashSet<StatusCode> Retryable, bool MayExhaust) Classify(FaultSchedule s)
    {
        var failing = s.Faults.Where(f => f.CanFailAttempt || (s.IsUpload && !s.LengthKnownToClient && f.Kind == FaultKind.EndEarly && f.CommittedSize is null)).ToList();
        var fatal = failing
            .Where(f => f.Kind is FaultKind.Cut or FaultKind.Fail && !IsRetryable(f.Status) && !f.MeansUnknownWriteStatus)
            .Select(f => f.Status)
            .ToHashSet();
        var retryable = failing
            .Where(f => f.Kind is FaultKind.Cut or FaultKind.Fail or FaultKind.Reset && IsRetryable(f.Status))
            .Select(f => f.Status)
            .ToHashSet();
        var stalls = failing.Any(f => f.Kind == FaultKind.Stall);
        if (stalls)
        {
            retryable.Add(StatusCode.DeadlineExceeded);
        }

        var mayExhaust = failing.Sum(f => f.Times) + (stalls ? 1 : 0) > s.MaxRetryAttempts;
        return (fatal, retryable, mayExhaust);
    }

    private static bool IsRetryable(StatusCode status) => RetryableStatus.IsRetryable(status, CancellationToken.None);

    private static StatusCode AnyStatus(Random rng) => rng.Next(5) == 0 ? Pick(rng, FatalStatuses) : Pick(rng, RetryableStatuses);

    private static T Pick<T>(Random rng, params T[] values) => values[rng.Next(values.Length)];

    private static byte[] Bytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }
}
