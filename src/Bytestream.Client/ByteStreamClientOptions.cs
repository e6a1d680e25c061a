using Bytestream.Client.Internal;
using Microsoft.Extensions.Logging;
using Polly;

namespace Bytestream.Client;

/// <summary>
/// Settings of a <see cref="ByteStreamClient"/>. The client copies them when it is constructed,
/// so changing an instance afterwards does not affect a client that already uses it.
/// </summary>
public sealed class ByteStreamClientOptions
{
    /// <summary>The largest <see cref="ChunkSize"/>: gRPC's default 4 MiB receive limit less room for the message envelope.</summary>
    public const int MaxChunkSize = (4 * 1024 * 1024) - (64 * 1024);

    /// <summary>The default <see cref="ChunkSize"/>: 1 MiB.</summary>
    public const int DefaultChunkSize = 1024 * 1024;

    private int _chunkSize = DefaultChunkSize;
    private int _maxRetryAttempts = 5;
    private TimeSpan _initialBackoff = TimeSpan.FromSeconds(1);
    private TimeSpan _maxBackoff = TimeSpan.FromSeconds(10);
    private long _maxReplayBufferSize = 32L * 1024 * 1024;
    private TimeSpan? _stallTimeout = TimeSpan.FromSeconds(60);
    private TimeProvider _timeProvider = TimeProvider.System;
    private int _compressionLevel = DefaultCompressionLevel;
    private long _compressionThreshold = DefaultCompressionThreshold;

    /// <summary>The default <see cref="CompressionLevel"/>: zstd level 1, the fastest of the classic levels.</summary>
    public const int DefaultCompressionLevel = 1;

    /// <summary>The default <see cref="CompressionThreshold"/>: 4 KiB.</summary>
    public const long DefaultCompressionThreshold = 4096;

    /// <summary>Gets or sets the number of data bytes sent in one <c>WriteRequest</c>.</summary>
    /// <value>Default 1 MiB (<see cref="DefaultChunkSize"/>); from 1 to <see cref="MaxChunkSize"/> (4 MiB - 64 KiB).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public int ChunkSize
    {
        get => _chunkSize;
        set => _chunkSize = Guard.InRange(value, 1, MaxChunkSize, nameof(ChunkSize));
    }

    /// <summary>
    /// Gets or sets how many consecutive failures that made no progress are retried before the
    /// error is thrown. A failure after which the server had committed (or sent) more bytes than
    /// before starts the count again.
    /// </summary>
    /// <value>Default 5; zero or more. When <see cref="RetryPipeline"/> is set, it only bounds the Write calls in a row
    /// that a server ends with OK, unfinished, without progress.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int MaxRetryAttempts
    {
        get => _maxRetryAttempts;
        set => _maxRetryAttempts = Guard.InRange(value, 0, int.MaxValue, nameof(MaxRetryAttempts));
    }

    /// <summary>Gets or sets the delay before the first retry; later delays double, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    /// <value>Default 1 s: with the default <see cref="MaxRetryAttempts"/> and <see cref="MaxBackoff"/> the retries span 11 to 23 s,
    /// so a transfer rides out a server restart of about 10 s (as gRPC's connection backoff starts at 1 s); from zero to one day.
    /// Ignored when <see cref="RetryPipeline"/> is set.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public TimeSpan InitialBackoff
    {
        get => _initialBackoff;
        set => _initialBackoff = Guard.InRange(value, TimeSpan.Zero, TimeSpan.FromDays(1), nameof(InitialBackoff));
    }

    /// <summary>Gets or sets the longest delay between two retries.</summary>
    /// <value>
    /// Default 10 s; from zero to one day, and not below <see cref="InitialBackoff"/>: a client is not built
    /// from options where it is (<see cref="ArgumentException"/>; the two are compared only then, so they
    /// can be set in any order). Ignored when <see cref="RetryPipeline"/> is set.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public TimeSpan MaxBackoff
    {
        get => _maxBackoff;
        set => _maxBackoff = Guard.InRange(value, TimeSpan.Zero, TimeSpan.FromDays(1), nameof(MaxBackoff));
    }

    /// <summary>
    /// Gets or sets the Polly pipeline that decides whether and when a failed step is retried. When
    /// set, it replaces the default pipeline built from <see cref="MaxRetryAttempts"/>,
    /// <see cref="InitialBackoff"/> and <see cref="MaxBackoff"/>; <see cref="ResiliencePipeline.Empty"/>
    /// turns retries off. One execution of the pipeline covers a transfer from one point of progress to
    /// the next, so its attempts count the consecutive failures without progress, across chunks;
    /// whatever it retries, the client resumes where the server left off.
    /// </summary>
    /// <value>Default <see langword="null"/>: exponential backoff with jitter over the retryable statuses
    /// (Unavailable, Unknown, DeadlineExceeded, Aborted, Internal, ResourceExhausted, and Cancelled
    /// when the caller did not cancel).</value>
    public ResiliencePipeline? RetryPipeline { get; set; }

    /// <summary>
    /// Gets or sets how many bytes a write stream or an upload from a non-seekable stream keeps
    /// to resend after a failure. When it is full the client asks the server what it has committed
    /// and drops that; bytes dropped before the server committed them cannot be resent.
    /// </summary>
    /// <value>Default 32 MiB, twice the largest HTTP/2 send window common servers grant, so bytes still in flight
    /// stay resendable; zero or more (zero keeps nothing: such uploads cannot resume).</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long MaxReplayBufferSize
    {
        get => _maxReplayBufferSize;
        set => _maxReplayBufferSize = Guard.InRange(value, 0L, long.MaxValue, nameof(MaxReplayBufferSize));
    }

    /// <summary>
    /// Gets or sets how long an attempt may go without moving a byte before it is cancelled and
    /// retried (as <c>DeadlineExceeded</c>). Unlike a deadline for the whole call it never cuts a
    /// long transfer that keeps moving; it ends calls to a server that accepts connections and never answers
    /// (which no connect timeout or keepalive ping catches), and a QueryWriteStatus that gets no answer.
    /// </summary>
    /// <value>Default 60 s (Bazel's <c>--remote_timeout</c>): long enough for a server that checks a large blob's digest
    /// after <c>finish_write</c>; <see langword="null"/> turns it off; otherwise more than zero.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero or negative.</exception>
    public TimeSpan? StallTimeout
    {
        get => _stallTimeout;
        set => _stallTimeout = value is { } v ? Guard.InRange(v, TimeSpan.FromTicks(1), TimeSpan.MaxValue, nameof(StallTimeout)) : null;
    }

    /// <summary>
    /// Gets or sets whether transfers of REAPI <c>blobs/</c> names go compressed, under the matching
    /// <c>compressed-blobs/zstd/</c> name: the caller still writes and reads the uncompressed bytes.
    /// <see cref="UploadOptions.Compression"/> and <see cref="DownloadOptions.Compression"/> override it per call.
    /// A server that answers such a name with UNIMPLEMENTED or INVALID_ARGUMENT before any byte moved is
    /// taken to lack zstd: the transfer goes on uncompressed, and so do this client's later ones.
    /// </summary>
    /// <value>Default <see cref="BlobCompression.None"/>: not every server supports compressed blobs.</value>
    public BlobCompression Compression { get; set; }

    /// <summary>Gets or sets the zstd level of compressed uploads: higher levels compress more and run slower.</summary>
    /// <value>Default 1 (<see cref="DefaultCompressionLevel"/>), which compresses source code about 4:1 at several
    /// hundred MB/s per core (docs/performance.md); from -7 (fastest) to 22.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside that range.</exception>
    public int CompressionLevel
    {
        get => _compressionLevel;
        set => _compressionLevel = Guard.InRange(value, -7, 22, nameof(CompressionLevel));
    }

    /// <summary>
    /// Gets or sets the smallest blob that <see cref="BlobCompression.Auto"/> compresses: below it a frame's
    /// header and the codec's setup cost more than they save.
    /// </summary>
    /// <value>Default 4 KiB (<see cref="DefaultCompressionThreshold"/>); zero or more.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long CompressionThreshold
    {
        get => _compressionThreshold;
        set => _compressionThreshold = Guard.InRange(value, 0L, long.MaxValue, nameof(CompressionThreshold));
    }

    /// <summary>
    /// Gets or sets whether concurrent uploads of the same blob on this client share one transfer: a call
    /// to <see cref="ByteStreamClient.UploadAsync(string, Stream, UploadOptions?, CancellationToken)"/> for a
    /// REAPI blob (the same digest under any upload name, compressed or not) that another call is uploading
    /// waits for that upload and returns its result, sending nothing. Plain (non-REAPI) names are never shared:
    /// a name says nothing about the bytes two callers write to it.
    /// A failure is not shared: each waiting caller then uploads its own data. Write streams are never shared.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool ShareConcurrentUploads { get; set; } = true;

    /// <summary>Gets or sets the factory of the loggers the client writes to; never payload bytes.</summary>
    /// <value>Default <see langword="null"/>: nothing is logged.</value>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the clock that backoff delays and <see cref="StallTimeout"/> wait on; tests pass a fake one.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    /// <exception cref="ArgumentNullException">The value is <see langword="null"/>.</exception>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        set => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    internal ByteStreamClientOptions Clone() => (ByteStreamClientOptions)MemberwiseClone();

    /// <summary>Checks what one setter alone cannot: settings that contradict each other.</summary>
    /// <exception cref="ArgumentException">The default pipeline would be built with <see cref="MaxBackoff"/> below <see cref="InitialBackoff"/>.</exception>
    internal void Validate()
    {
        if (RetryPipeline is null && MaxBackoff < InitialBackoff)
        {
            throw new ArgumentException(
                $"MaxBackoff ({MaxBackoff.TotalMilliseconds} ms) is below InitialBackoff ({InitialBackoff.TotalMilliseconds} ms): the longest delay between retries cannot be shorter than the first. Raise MaxBackoff or lower InitialBackoff.",
                "options");
        }
    }
}
