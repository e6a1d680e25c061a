using Bytestream.Testing.Internal;
using Grpc.Core;

namespace Bytestream.Testing;

/// <summary>
/// Fault injection for <see cref="ByteStreamTestServer"/> (<see cref="ByteStreamTestServer.Faults"/>):
/// failures and hostile behaviour that real ByteStream servers show, switched on for the next calls.
/// </summary>
/// <remarks>
/// <para>
/// Methods arm a fault for the next <c>times</c> matching calls (on one resource name, or on any when
/// <c>resourceName</c> is <see langword="null"/>); each call that a fault fires on uses up one of its
/// <c>times</c>, and faults armed earlier fire first. Properties apply to every call while they are set.
/// </para>
/// <para>
/// Arm faults before starting the calls they should hit. All members are thread-safe; <see cref="Clear"/>
/// (and <see cref="ByteStreamTestServer.Reset"/>) disarms everything and restores the defaults.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// // The first Write fails with UNAVAILABLE after 1 MiB; the server keeps 1 MiB less 64 KiB of it.
/// server.Faults.CutWrite(1024 * 1024);
/// server.Faults.CommitLag = 64 * 1024;
/// </code>
/// </example>
public sealed class ByteStreamFaults
{
    private readonly object _gate = new();
    private readonly List<FaultRule> _writeCuts = [];
    private readonly List<FaultRule> _writeEarlyEnds = [];
    private readonly List<FaultRule> _readCuts = [];
    private readonly List<FaultRule> _failures = [];
    private readonly List<FaultRule> _stalls = [];
    private long _commitLag;
    private bool _commitOnlyOnFinish;
    private bool _forgetUploadOnFailure;
    private long _finalCommittedSizeDelta;
    private QueryWriteStatusMode _queryWriteStatusMode;
    private Func<long, bool, (long CommittedSize, bool Complete)>? _queryWriteStatusOverride;
    private int _emptyReadResponsesBeforeEachChunk;
    private bool _ignoreReadOffset;
    private bool _ignoreReadLimit;
    private bool _repeatReadData;
    private bool _reportUncompressedCommittedSize;

    internal ByteStreamFaults()
    {
    }

    /// <summary>
    /// Cuts the next <paramref name="times"/> Write calls (on <paramref name="resourceName"/>, or on any
    /// when <see langword="null"/>) that receive more than <paramref name="afterBytes"/> data bytes: the
    /// server keeps exactly <paramref name="afterBytes"/> bytes of that call (splitting the request that
    /// crosses the mark), commits them (less <see cref="CommitLag"/>) and fails the call with
    /// <paramref name="status"/>.
    /// </summary>
    /// <remarks>
    /// Bytes count from the start of each call, so a resumed call is cut <paramref name="afterBytes"/>
    /// after its own first byte: <c>CutWrite(8 MiB, times: 15)</c> cuts an upload every 8 MiB. A call
    /// that never crosses the mark (it finishes or ends sooner) is not cut and leaves the fault armed.
    /// </remarks>
    /// <param name="afterBytes">The data bytes a call keeps before it is cut; zero or more.</param>
    /// <param name="status">The status of the cut call; default <see cref="StatusCode.Unavailable"/>, any but OK.</param>
    /// <param name="times">How many calls to cut; default 1.</param>
    /// <param name="resourceName">The resource name (as in the call's first request) to cut; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="status"/> is <see cref="StatusCode.OK"/>.</exception>
    public void CutWrite(long afterBytes, StatusCode status = StatusCode.Unavailable, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_writeCuts, new FaultRule(ByteStreamMethod.Write, afterBytes, NotOk(status), Positive(times), resourceName));
    }

    /// <summary>
    /// Like <see cref="CutWrite"/>, but the server resets the call's HTTP/2 stream (<c>RST_STREAM</c> with
    /// <c>INTERNAL_ERROR</c>) instead of ending it with a gRPC status, as a proxy, a load balancer or an
    /// overloaded server does. The bytes before the mark are committed as for a cut.
    /// </summary>
    /// <param name="afterBytes">The data bytes a call keeps before its stream is reset; zero or more.</param>
    /// <param name="times">How many calls to reset; default 1.</param>
    /// <param name="resourceName">The resource name (as in the call's first request); <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.</exception>
    public void ResetWrite(long afterBytes, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_writeCuts, new FaultRule(ByteStreamMethod.Write, afterBytes, StatusCode.Internal, Positive(times), resourceName) { Kind = CutKind.ResetStream });
    }

    /// <summary>
    /// Like <see cref="CutWrite"/>, but as a server that shuts down gracefully and whose grace period ran out: it sends
    /// <c>GOAWAY</c> on the call's HTTP/2 connection (the connection takes no new calls and closes when its calls have
    /// ended) and ends the call with <c>UNAVAILABLE</c>. The client must go on with a new connection. The bytes before
    /// the mark are committed as for a cut.
    /// </summary>
    /// <param name="afterBytes">The data bytes a call keeps before the server drains its connection; zero or more.</param>
    /// <param name="times">How many calls to end so; default 1.</param>
    /// <param name="resourceName">The resource name (as in the call's first request); <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.</exception>
    public void GoAwayWrite(long afterBytes, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_writeCuts, new FaultRule(ByteStreamMethod.Write, afterBytes, StatusCode.Unavailable, Positive(times), resourceName) { Kind = CutKind.GoAway });
    }

    /// <summary>
    /// Gets or sets how far committed sizes lag behind receipt: while a Write call runs, QueryWriteStatus
    /// reports the bytes received less this many (never less than the offset the call started at), and
    /// when the call is cut or fails (an injected fault, a protocol error, the client cancelling it) the
    /// server keeps exactly those, so committed sizes never go backwards. A call that ends without error
    /// keeps everything it received.
    /// </summary>
    /// <value>Default 0; zero or more.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long CommitLag
    {
        get { lock (_gate) { return _commitLag; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(CommitLag));
            lock (_gate) { _commitLag = value; }
        }
    }

    /// <summary>
    /// Gets or sets whether the server commits nothing before <c>finish_write</c>: while this is set,
    /// QueryWriteStatus reports 0 for an upload in progress, and a Write call that ends without
    /// <c>finish_write</c> (with or without an error) discards the whole upload: QueryWriteStatus then
    /// reports (0, incomplete), so the client must start again at offset 0.
    /// </summary>
    /// <value>Default <see langword="false"/>: bytes are committed as they are received.</value>
    public bool CommitOnlyOnFinish
    {
        get { lock (_gate) { return _commitOnlyOnFinish; } }
        set { lock (_gate) { _commitOnlyOnFinish = value; } }
    }

    /// <summary>
    /// Gets or sets whether a Write call that fails (an injected fault, a protocol error, the client
    /// cancelling it) makes the server forget the whole upload, as an in-memory server that restarted:
    /// QueryWriteStatus then answers NOT_FOUND, and the client must start again at offset 0.
    /// </summary>
    /// <value>Default <see langword="false"/>: a failed call keeps what was committed.</value>
    public bool ForgetUploadOnFailure
    {
        get { lock (_gate) { return _forgetUploadOnFailure; } }
        set { lock (_gate) { _forgetUploadOnFailure = value; } }
    }

    /// <summary>
    /// Ends the next <paramref name="times"/> Write calls (on <paramref name="resourceName"/> or any) with
    /// OK right after their first request, answering <c>committed_size</c> = <paramref name="committedSize"/>;
    /// nothing of these calls is stored. This is what REAPI servers do when another client has already
    /// finished the same blob.
    /// </summary>
    /// <param name="times">How many calls to end; default 1.</param>
    /// <param name="committedSize">
    /// The committed size to answer; default: the size of the stored resource with the call's name (or of
    /// its REAPI blob name, see <see cref="ByteStreamTestServerOptions.MapUploadNamesToBlobs"/>), else -1 (what
    /// servers answer for compressed uploads).
    /// </param>
    /// <param name="resourceName">The resource name (as in the call's first request) to end early; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="times"/> is less than 1.</exception>
    public void EndWriteEarly(int times = 1, long? committedSize = null, string? resourceName = null) =>
        Add(_writeEarlyEnds, new FaultRule(ByteStreamMethod.Write, 0, StatusCode.OK, Positive(times), resourceName, committedSize));

    /// <summary>
    /// Gets or sets a number of bytes added to the <c>committed_size</c> of the response to a Write that
    /// sent <c>finish_write</c> (a hostile server that misreports the final size). The resource is still
    /// stored as received.
    /// </summary>
    /// <value>Default 0; any value.</value>
    public long FinalCommittedSizeDelta
    {
        get { lock (_gate) { return _finalCommittedSizeDelta; } }
        set { lock (_gate) { _finalCommittedSizeDelta = value; } }
    }

    /// <summary>Gets or sets how QueryWriteStatus answers (the behaviours of real servers).</summary>
    /// <value>Default <see cref="Testing.QueryWriteStatusMode.Normal"/>.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined mode.</exception>
    public QueryWriteStatusMode QueryWriteStatusMode
    {
        get { lock (_gate) { return _queryWriteStatusMode; } }
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(QueryWriteStatusMode), value, "Not a defined QueryWriteStatusMode.");
            }

            lock (_gate) { _queryWriteStatusMode = value; }
        }
    }

    /// <summary>
    /// Gets or sets a hook that distorts QueryWriteStatus answers (hostile servers): it gets the true
    /// committed size and complete flag of a known upload or stored resource and returns what to report.
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>. When set, it decides every answer about a known name, in place of
    /// <see cref="Testing.QueryWriteStatusMode.ZeroOrComplete"/>; the modes <see cref="Testing.QueryWriteStatusMode.NotFound"/>
    /// and <see cref="Testing.QueryWriteStatusMode.Unimplemented"/>, and <c>NOT_FOUND</c> for unknown names, still apply.
    /// It runs on the server's threads and must be thread-safe.
    /// </value>
    public Func<long, bool, (long CommittedSize, bool Complete)>? QueryWriteStatusOverride
    {
        get { lock (_gate) { return _queryWriteStatusOverride; } }
        set { lock (_gate) { _queryWriteStatusOverride = value; } }
    }

    /// <summary>
    /// Ends the next <paramref name="times"/> Read calls (on <paramref name="resourceName"/> or any) with
    /// <paramref name="status"/> once they have sent <paramref name="afterBytes"/> data bytes, or reached
    /// the end of the requested data, whichever comes first. <c>CutRead(size)</c> therefore fails a Read
    /// after its last byte, and <see cref="StatusCode.OK"/> ends a Read early with success (a truncated stream).
    /// </summary>
    /// <remarks>A Read call takes the fault when it starts sending (after its request was found valid).</remarks>
    /// <param name="afterBytes">The data bytes a call sends before it ends; zero or more.</param>
    /// <param name="status">The status that ends the call; default <see cref="StatusCode.Unavailable"/>.</param>
    /// <param name="times">How many calls to cut; default 1.</param>
    /// <param name="resourceName">The resource name to cut reads of; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.</exception>
    public void CutRead(long afterBytes, StatusCode status = StatusCode.Unavailable, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_readCuts, new FaultRule(ByteStreamMethod.Read, afterBytes, status, Positive(times), resourceName));
    }

    /// <summary>
    /// Like <see cref="CutRead"/>, but the server resets the call's HTTP/2 stream (<c>RST_STREAM</c> with
    /// <c>INTERNAL_ERROR</c>) instead of ending it with a gRPC status, as a proxy or an overloaded server does.
    /// </summary>
    /// <param name="afterBytes">The data bytes a call sends before its stream is reset; zero or more.</param>
    /// <param name="times">How many calls to reset; default 1.</param>
    /// <param name="resourceName">The resource name to reset reads of; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.</exception>
    public void ResetRead(long afterBytes, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_readCuts, new FaultRule(ByteStreamMethod.Read, afterBytes, StatusCode.Internal, Positive(times), resourceName) { Kind = CutKind.ResetStream });
    }

    /// <summary>
    /// Like <see cref="CutRead"/>, but as a server that shuts down gracefully and whose grace period ran out: it sends
    /// <c>GOAWAY</c> on the call's HTTP/2 connection and ends the call with <c>UNAVAILABLE</c>.
    /// </summary>
    /// <param name="afterBytes">The data bytes a call sends before the server drains its connection; zero or more.</param>
    /// <param name="times">How many calls to end so; default 1.</param>
    /// <param name="resourceName">The resource name to end reads of; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.</exception>
    public void GoAwayRead(long afterBytes, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_readCuts, new FaultRule(ByteStreamMethod.Read, afterBytes, StatusCode.Unavailable, Positive(times), resourceName) { Kind = CutKind.GoAway });
    }

    /// <summary>
    /// Gets or sets how many empty <c>ReadResponse</c> messages (keep-alives) the server sends before each
    /// data message of a Read.
    /// </summary>
    /// <value>Default 0; zero or more.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int EmptyReadResponsesBeforeEachChunk
    {
        get { lock (_gate) { return _emptyReadResponsesBeforeEachChunk; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(EmptyReadResponsesBeforeEachChunk));
            lock (_gate) { _emptyReadResponsesBeforeEachChunk = value; }
        }
    }

    /// <summary>
    /// Gets or sets whether Read ignores <c>read_offset</c> and always sends from byte 0 (a hostile server,
    /// as some did on resumed reads); <c>read_offset</c> is still validated.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool IgnoreReadOffset
    {
        get { lock (_gate) { return _ignoreReadOffset; } }
        set { lock (_gate) { _ignoreReadOffset = value; } }
    }

    /// <summary>Gets or sets whether Read ignores <c>read_limit</c> and sends to the end of the resource (a hostile server).</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool IgnoreReadLimit
    {
        get { lock (_gate) { return _ignoreReadLimit; } }
        set { lock (_gate) { _ignoreReadLimit = value; } }
    }

    /// <summary>
    /// Gets or sets whether Read sends the data it was asked for twice, one copy after the other (a corrupt cache
    /// or proxy: Bazel #17206, #19005). A compressed read sends two zstd frames of the blob.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool RepeatReadData
    {
        get { lock (_gate) { return _repeatReadData; } }
        set { lock (_gate) { _repeatReadData = value; } }
    }

    /// <summary>
    /// Gets or sets whether committed sizes of <c>compressed-blobs/</c> uploads count uncompressed bytes, as buildfarm
    /// reports them (buildfarm #1901), instead of REAPI's compressed bytes: QueryWriteStatus of an upload in progress
    /// answers the bytes decoded so far, of a finished one the blob's size, and so does the response to
    /// <c>finish_write</c> and an early end of a Write whose blob exists.
    /// </summary>
    /// <value>Default <see langword="false"/>: compressed bytes, and -1 for an early end, as REAPI says.</value>
    public bool ReportUncompressedCommittedSize
    {
        get { lock (_gate) { return _reportUncompressedCommittedSize; } }
        set { lock (_gate) { _reportUncompressedCommittedSize = value; } }
    }

    /// <summary>
    /// Fails the next <paramref name="times"/> calls of <paramref name="method"/> (on
    /// <paramref name="resourceName"/> or any) at once with <paramref name="status"/>, before they read or
    /// write anything. A Write is failed right after its first request (which names the resource); nothing
    /// of it is stored.
    /// </summary>
    /// <param name="method">The method whose calls fail.</param>
    /// <param name="status">The status to fail with; any but OK.</param>
    /// <param name="times">How many calls to fail; default 1.</param>
    /// <param name="resourceName">The resource name to fail calls on; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="method"/> is not defined or <paramref name="times"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="status"/> is <see cref="StatusCode.OK"/>.</exception>
    public void FailNext(ByteStreamMethod method, StatusCode status, int times = 1, string? resourceName = null) =>
        Add(_failures, new FaultRule(Defined(method), 0, NotOk(status), Positive(times), resourceName));

    /// <summary>
    /// Stalls the next <paramref name="times"/> calls of <paramref name="method"/> (on
    /// <paramref name="resourceName"/> or any): they stop moving bytes until the client cancels them (or
    /// their deadline passes, or the server is disposed). For stall-timeout tests.
    /// </summary>
    /// <remarks>
    /// A Read stalls once it has sent <paramref name="afterBytes"/> data bytes or reached the end of the
    /// requested data. A Write stalls when a request would take it past <paramref name="afterBytes"/> data
    /// bytes or would finish the write: it keeps exactly <paramref name="afterBytes"/> bytes of the call
    /// (committed as usual), then reads no more, so nothing sent after the stall point is committed; when
    /// it is cancelled, <see cref="CommitLag"/> applies as for any failed call. A QueryWriteStatus stalls
    /// before answering (<paramref name="afterBytes"/> is ignored).
    /// </remarks>
    /// <param name="method">The method whose calls stall.</param>
    /// <param name="afterBytes">The data bytes a call moves before it stalls; default 0.</param>
    /// <param name="times">How many calls to stall; default 1.</param>
    /// <param name="resourceName">The resource name to stall calls on; <see langword="null"/> for any.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="method"/> is not defined, <paramref name="afterBytes"/> is negative or <paramref name="times"/> is less than 1.
    /// </exception>
    public void StallNext(ByteStreamMethod method, long afterBytes = 0, int times = 1, string? resourceName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterBytes);
        Add(_stalls, new FaultRule(Defined(method), afterBytes, StatusCode.OK, Positive(times), resourceName));
    }

    /// <summary>Disarms every fault and restores every property of this class to its default.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _writeCuts.Clear();
            _writeEarlyEnds.Clear();
            _readCuts.Clear();
            _failures.Clear();
            _stalls.Clear();
            _commitLag = 0;
            _commitOnlyOnFinish = false;
            _forgetUploadOnFailure = false;
            _finalCommittedSizeDelta = 0;
            _queryWriteStatusMode = QueryWriteStatusMode.Normal;
            _queryWriteStatusOverride = null;
            _emptyReadResponsesBeforeEachChunk = 0;
            _ignoreReadOffset = false;
            _ignoreReadLimit = false;
            _repeatReadData = false;
            _reportUncompressedCommittedSize = false;
        }
    }

    /// <summary>Takes a FailNext fault for a call that is starting.</summary>
    internal bool TryTakeFailure(ByteStreamMethod method, string resourceName, out StatusCode status)
    {
        lock (_gate)
        {
            var rule = Take(_failures, method, resourceName, long.MaxValue);
            status = rule?.Status ?? StatusCode.OK;
            return rule is not null;
        }
    }

    /// <summary>Takes an EndWriteEarly fault for a Write whose first request arrived.</summary>
    internal bool TryTakeEarlyEnd(string resourceName, out long? committedSize)
    {
        lock (_gate)
        {
            var rule = Take(_writeEarlyEnds, ByteStreamMethod.Write, resourceName, long.MaxValue);
            committedSize = rule?.CommittedSize;
            return rule is not null;
        }
    }

    /// <summary>
    /// Takes a CutWrite fault that a request of <paramref name="length"/> data bytes, arriving after
    /// <paramref name="receivedBefore"/> bytes of the call, crosses; <paramref name="keep"/> is how many
    /// of its bytes to keep.
    /// </summary>
    internal bool TryTakeWriteCut(string resourceName, long receivedBefore, int length, out int keep, out StatusCode status, out CutKind kind)
    {
        lock (_gate)
        {
            var rule = Take(_writeCuts, ByteStreamMethod.Write, resourceName, receivedBefore + length - 1);
            keep = rule is null ? length : (int)Math.Clamp(rule.AfterBytes - receivedBefore, 0, length);
            status = rule?.Status ?? StatusCode.OK;
            kind = rule?.Kind ?? CutKind.Status;
            return rule is not null;
        }
    }

    /// <summary>
    /// Takes a Write stall that a request of <paramref name="length"/> data bytes (finishing the write or
    /// not) reaches; <paramref name="keep"/> is how many of its bytes to keep before stalling.
    /// </summary>
    internal bool TryTakeWriteStall(string resourceName, long receivedBefore, int length, bool finishWrite, out int keep)
    {
        lock (_gate)
        {
            var rule = Take(_stalls, ByteStreamMethod.Write, resourceName, finishWrite ? long.MaxValue : receivedBefore + length - 1);
            keep = rule is null ? length : (int)Math.Clamp(rule.AfterBytes - receivedBefore, 0, length);
            return rule is not null;
        }
    }

    /// <summary>Takes, for a Read that starts sending, its cut and stall faults and the read settings.</summary>
    internal ReadFaultPlan TakeReadPlan(string resourceName)
    {
        lock (_gate)
        {
            var cut = Take(_readCuts, ByteStreamMethod.Read, resourceName, long.MaxValue);
            var stall = Take(_stalls, ByteStreamMethod.Read, resourceName, long.MaxValue);
            return new ReadFaultPlan(
                cut?.AfterBytes,
                cut?.Status ?? StatusCode.OK,
                stall?.AfterBytes,
                _emptyReadResponsesBeforeEachChunk,
                _ignoreReadOffset,
                _ignoreReadLimit,
                cut?.Kind ?? CutKind.Status,
                _repeatReadData);
        }
    }

    /// <summary>Takes a stall for a QueryWriteStatus call that is starting.</summary>
    internal bool TryTakeQueryStall(string resourceName)
    {
        lock (_gate)
        {
            return Take(_stalls, ByteStreamMethod.QueryWriteStatus, resourceName, long.MaxValue) is not null;
        }
    }

    /// <summary>Reads the settings that decide a QueryWriteStatus answer, consistently.</summary>
    internal (QueryWriteStatusMode Mode, Func<long, bool, (long CommittedSize, bool Complete)>? Override) GetQuerySettings()
    {
        lock (_gate)
        {
            return (_queryWriteStatusMode, _queryWriteStatusOverride);
        }
    }

    /// <summary>Takes one use of the first armed rule for the call whose mark is at most <paramref name="reached"/>.</summary>
    private static FaultRule? Take(List<FaultRule> rules, ByteStreamMethod method, string resourceName, long reached)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            var rule = rules[i];
            if (rule.AfterBytes <= reached && rule.AppliesTo(method, resourceName))
            {
                if (--rule.Remaining == 0)
                {
                    rules.RemoveAt(i);
                }

                return rule;
            }
        }

        return null;
    }

    private static StatusCode NotOk(StatusCode status, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(status))] string? name = null) =>
        status == StatusCode.OK ? throw new ArgumentException("A failure needs a status other than OK.", name) : status;

    private static int Positive(int times)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        return times;
    }

    private static ByteStreamMethod Defined(ByteStreamMethod method) =>
        Enum.IsDefined(method) ? method : throw new ArgumentOutOfRangeException(nameof(method), method, "Not a defined ByteStreamMethod.");

    private void Add(List<FaultRule> rules, FaultRule rule)
    {
        lock (_gate)
        {
            rules.Add(rule);
        }
    }
}
