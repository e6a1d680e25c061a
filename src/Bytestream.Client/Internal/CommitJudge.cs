namespace Bytestream.Client.Internal;

/// <summary>
/// Decides what every answer of the server about one upload means: a committed size from a
/// <c>WriteResponse</c> or <c>QueryWriteStatus</c>, the status that ended a Write call, and whether the
/// upload can be finished. It owns the upload's view of the server: what was sent, where the last
/// resume started (the rewind point, also the progress mark of the retry budget) and the committed size.
/// Pure: no I/O, no clock, no Polly; the upload session does the calls and follows the decisions.
/// </summary>
/// <remarks>
/// A compressed upload (<see cref="RestartsOnly"/>) never resumes mid-stream: servers disagree on what its
/// committed size counts (compressed bytes in REAPI and bb-storage, uncompressed ones in buildfarm; NativeLink
/// and bazel-remote refuse a non-zero first offset, bb-storage has no QueryWriteStatus), and a resume taken
/// from the wrong one would corrupt the blob. So only <c>complete</c>, -1, or a whole size ends it; any other
/// answer starts again at 0 with a fresh frame. A server that reports bytes committed under the upload name keeps
/// them, and by the ByteStream spec the first <c>write_offset</c> of a call must be the committed size (Google's
/// server refuses 0 with FAILED_PRECONDITION): then the restart goes under a new upload id, which REAPI leaves to
/// the client. An attempt that got further than every one before counts as progress, so a server that cuts each
/// attempt at the same point uses up the retry budget.
/// </remarks>
internal sealed class CommitJudge
{
    private readonly string _resourceName;
    private readonly long? _totalLength;
    private readonly long? _compressedNameSize;
    private long _sentEnd;
    private long _rewindPoint;
    private long? _wrongFinalSize;
    private readonly int _maxEarlyEnds;
    private string? _endedEarly;       // how the last call ended before the upload was finished without a failure to count, if it did
    private long? _refusedResumeAt;    // the offset of a resumed call the server refused, until QueryWriteStatus says why
    private int _earlyEndsInARow;      // such ends since the last progress
    private bool _sizeIsPosition;
    private long _restartMark;         // compressed uploads: the furthest any attempt had sent at the last restart

    /// <param name="resourceName">The resource being written, for errors.</param>
    /// <param name="totalLength">The length of the whole upload on the wire when it is known before it ends.</param>
    /// <param name="maxEarlyEnds">How many Write calls in a row the server may end with OK, unfinished, without progress (<see cref="ByteStreamClientOptions.MaxRetryAttempts"/>).</param>
    /// <param name="uncompressedSize">For a compressed upload, the blob's uncompressed size, which a server may answer as the final size; every resume of such an upload starts again at 0 (see the remarks).</param>
    public CommitJudge(string resourceName, long? totalLength, int maxEarlyEnds, long? uncompressedSize = null)
    {
        _resourceName = resourceName;
        _totalLength = totalLength;
        _maxEarlyEnds = maxEarlyEnds;
        _compressedNameSize = uncompressedSize;
    }

    /// <summary>The judge of an upload as its plan describes it.</summary>
    public static CommitJudge For(TransferPlan plan, int maxEarlyEnds) =>
        new(plan.WireName, plan.WireLength, maxEarlyEnds, plan.Compressed ? plan.Length : null);

    /// <summary>Gets whether every resume starts again at 0 (a compressed upload), so committed sizes below complete say nothing.</summary>
    public bool RestartsOnly => _compressedNameSize is not null;

    /// <summary>Gets the committed size the server last reported, or the first offset after a restart.</summary>
    public long CommittedSize { get; private set; }

    /// <summary>Gets whether the server holds the whole resource.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>
    /// Gets the number of resume decisions so far. An answer to a background <c>QueryWriteStatus</c>
    /// started before the latest one says nothing about the server now (it may have forgotten the upload since).
    /// </summary>
    public int Epoch { get; private set; }

    /// <summary>Records that the bytes up to <paramref name="end"/> were put on the wire (they may have reached the server even if the send failed).</summary>
    public void Sent(long end) => _sentEnd = Math.Max(_sentEnd, end);

    /// <summary>
    /// <see cref="UploadOptions.ResumeExistingUpload"/>: what the server answered before anything was sent.
    /// Complete, or resume at its committed size, which the caller's data must reach.
    /// </summary>
    public CommitDecision OnExistingStatus(WriteStatus status)
    {
        if (RestartsOnly)
        {
            return status.Complete ? Complete(status.CommittedSize, null) : Rewind(CommitVerdict.Restart, 0) with { FreshUpload = status.CommittedSize > 0 };
        }

        if (status.Complete)
        {
            return Complete(status.CommittedSize, _totalLength);
        }

        if (status.CommittedSize < 0)
        {
            return CommitDecision.Failed(ThrowHelper.ProtocolViolation(_resourceName, $"QueryWriteStatus reported committed_size {status.CommittedSize}.", status.CommittedSize));
        }

        if (status.CommittedSize > _totalLength)
        {
            return CommitDecision.Failed(ThrowHelper.SourceShorterThanCommitted(_resourceName, status.CommittedSize, _totalLength.Value));
        }

        // Bytes an earlier process sent: the server may hold them.
        Sent(status.CommittedSize);
        return Rewind(CommitVerdict.Resume, status.CommittedSize);
    }

    /// <summary>
    /// <c>QueryWriteStatus</c> answered NOT_FOUND (nothing committed) or UNIMPLEMENTED (a server that
    /// cannot resume, e.g. Buildbarn): start again at the first offset.
    /// </summary>
    public CommitDecision OnStatusUnknown() =>
        CheckRefusal(null) ?? (RestartsOnly ? RestartFromZero(confirmed: false) : Rewind(CommitVerdict.Restart, 0));

    /// <summary>
    /// A Write call ended with OK and <paramref name="committedSize"/>, after <paramref name="finishSent"/>
    /// finish_write or early (a REAPI server that already holds the blob). Complete when the size is the
    /// whole resource; otherwise <c>QueryWriteStatus</c> must tell whether the server ended the call before
    /// it saw finish_write (resume) or finished with a wrong size (a protocol violation).
    /// </summary>
    public CommitDecision OnWriteResponse(long committedSize, bool finishSent, long position)
    {
        var written = WrittenLength(finishSent, position);
        if (IsWholeResource(committedSize, written))
        {
            return Complete(committedSize, written);
        }

        if (finishSent)
        {
            _wrongFinalSize = committedSize;
        }

        _endedEarly = "with OK before the upload was finished";
        return new CommitDecision(CommitVerdict.AskStatus, committedSize);
    }

    /// <summary>
    /// Whether a Write call that resumed at <paramref name="callStart"/> (a committed size the server had reported) may
    /// have been refused for its <c>write_offset</c>: FAILED_PRECONDITION, INVALID_ARGUMENT or OUT_OF_RANGE, as servers
    /// differ (PROTOCOL.md), which a server gives when it no longer holds what it reported (it forgot the upload after
    /// answering, or holds more than its lagging answer said and refuses to rewind, as Google's server does). The next
    /// <c>QueryWriteStatus</c> says which: a committed size other than <paramref name="callStart"/> (or none) and the
    /// upload goes on from there, counted like an early end unless it is progress, so a server that refuses every resume
    /// without progress ends the upload; a server that holds exactly that offset refused something else, and its
    /// failure stands (<see cref="CommitVerdict.CallFailed"/>). A call from offset 0 was not resuming: its refusal stands.
    /// </summary>
    public bool OnRefusedResume(Grpc.Core.StatusCode status, long callStart)
    {
        var mayBe = callStart > 0 && status is Grpc.Core.StatusCode.FailedPrecondition or Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.OutOfRange;
        _refusedResumeAt = mayBe ? callStart : null;
        return mayBe;
    }

    /// <summary>
    /// A Write call failed with ALREADY_EXISTS: another client uploaded the resource; success. Without a
    /// known length its size is where the caller's data ends, <paramref name="position"/> so far (see <see cref="CheckEnd"/>).
    /// </summary>
    public CommitDecision OnAlreadyExists(long position)
    {
        IsComplete = true;
        _sizeIsPosition = _totalLength is null;
        CommittedSize = _totalLength ?? position;
        return new CommitDecision(CommitVerdict.Complete, CommittedSize);
    }

    /// <summary>
    /// <c>QueryWriteStatus</c> after a failed Write call: complete, or resume at its committed size. It must
    /// not pass what was sent, nor fall below the rewind point (the offset the last Write call started at,
    /// which the server had reported). Progress is a committed size above the rewind point.
    /// </summary>
    public CommitDecision OnStatus(WriteStatus status, bool finishSent, long position)
    {
        if (status.Complete)
        {
            // A compressed upload's committed size may count either form: complete is what it says.
            return RestartsOnly ? Complete(status.CommittedSize, null) : Complete(status.CommittedSize, WrittenLength(finishSent, position));
        }

        if (CheckRefusal(status.CommittedSize) is { } refusal)
        {
            return refusal;
        }

        if (RestartsOnly)
        {
            return RestartFromZero(confirmed: status.CommittedSize > 0) with { FreshUpload = status.CommittedSize > 0 };
        }

        var committed = status.CommittedSize;
        if (committed < 0 || committed > _sentEnd)
        {
            return CommitDecision.Failed(ThrowHelper.CommittedBeyondSent(_resourceName, committed, _sentEnd));
        }

        if (committed == 0 && _rewindPoint > 0)
        {
            // nativelink answers 0 where the spec says NOT_FOUND: the server has forgotten the upload.
            return Rewind(CommitVerdict.Restart, 0);
        }

        if (committed < _rewindPoint)
        {
            return CommitDecision.Failed(ThrowHelper.CommittedWentBackwards(_resourceName, committed, _rewindPoint));
        }

        return Rewind(CommitVerdict.Resume, committed);
    }

    /// <summary>
    /// A <c>QueryWriteStatus</c> made while the upload goes on, to make room in the replay buffer: the
    /// committed bytes may be dropped. A stale answer (from before a resume) or one below the rewind point
    /// gives no hint; the next failure asks again.
    /// </summary>
    public CommitDecision OnBackgroundStatus(WriteStatus status, int epoch)
    {
        if (epoch != Epoch || status.Complete || status.CommittedSize < _rewindPoint)
        {
            return new CommitDecision(CommitVerdict.Continue, _rewindPoint);
        }

        if (status.CommittedSize > _sentEnd)
        {
            return CommitDecision.Failed(ThrowHelper.CommittedBeyondSent(_resourceName, status.CommittedSize, _sentEnd));
        }

        CommittedSize = status.CommittedSize;
        return new CommitDecision(CommitVerdict.Continue, status.CommittedSize);
    }

    /// <summary>
    /// The caller's data ended at <paramref name="position"/>: whether the upload may be finished (or, when the
    /// server already holds the resource, reported done). <see langword="null"/> when it may; otherwise the error.
    /// </summary>
    public ByteStreamException? CheckEnd(long position)
    {
        if (_totalLength is { } total && position != total)
        {
            return ThrowHelper.LengthMismatch(_resourceName, total, position, CommittedSize);
        }

        if (_sizeIsPosition)
        {
            CommittedSize = position;
            return null;
        }

        if (position < CommittedSize)
        {
            return ThrowHelper.SourceShorterThanCommitted(_resourceName, CommittedSize, position);
        }

        if (IsComplete && !IsWholeResource(CommittedSize, position))
        {
            return ThrowHelper.LengthMismatch(_resourceName, CommittedSize, position, CommittedSize);
        }

        return null;
    }

    /// <summary>Settles a refused resume (see <see cref="OnRefusedResume"/>) by what the server now says it holds (<see langword="null"/>: nothing).</summary>
    private CommitDecision? CheckRefusal(long? committed)
    {
        if (_refusedResumeAt is not { } at)
        {
            return null;
        }

        _refusedResumeAt = null;
        if (committed == at)
        {
            return new CommitDecision(CommitVerdict.CallFailed, committed.Value);
        }

        _endedEarly = "refusing the write_offset of a resumed call it no longer held";
        return null;
    }

    /// <summary>Whether a committed size means the whole resource: -1 (REAPI: it already exists), the length written, or a compressed upload's uncompressed size.</summary>
    private bool IsWholeResource(long committedSize, long? written) =>
        committedSize == -1
        || committedSize == written
        || (_compressedNameSize is not null && committedSize == _compressedNameSize);

    /// <summary>The length of the whole upload when it is known: the expected total, or the position once finish_write was sent.</summary>
    private long? WrittenLength(bool finishSent, long position) => _totalLength ?? (finishSent ? position : null);

    private CommitDecision Complete(long committedSize, long? written)
    {
        if (_wrongFinalSize is { } reported)
        {
            // The server holds the whole resource, yet answered finish_write with another size.
            return CommitDecision.Failed(ThrowHelper.WrongFinalSize(_resourceName, reported, written ?? committedSize));
        }

        if (written is { } length && !IsWholeResource(committedSize, length))
        {
            return CommitDecision.Failed(ThrowHelper.WrongFinalSize(_resourceName, committedSize, length));
        }

        IsComplete = true;
        CommittedSize = committedSize;
        return new CommitDecision(CommitVerdict.Complete, committedSize);
    }

    /// <summary>
    /// A compressed upload starts again at 0. It progressed when the server confirmed bytes of the last attempt (a
    /// committed size above 0; NOT_FOUND and UNIMPLEMENTED confirm nothing) and that attempt got further than every
    /// one before it: bytes merely sent prove nothing, and a server that keeps a little of each attempt and cuts it
    /// at the same point must still use up the retry budget.
    /// </summary>
    private CommitDecision RestartFromZero(bool confirmed)
    {
        var progressed = confirmed && _sentEnd > _restartMark;
        _restartMark = Math.Max(_restartMark, _sentEnd);
        return Rewind(CommitVerdict.Restart, 0, progressed);
    }

    /// <summary>
    /// The next Write call starts at <paramref name="offset"/>: the new rewind point; above the old one is progress.
    /// A call the server ended with OK is no failure for the retry pipeline, so the next one starts at once;
    /// but a server that ends more calls in a row than the retry budget that way, without progress, will not take the upload.
    /// </summary>
    private CommitDecision Rewind(CommitVerdict verdict, long offset, bool? progress = null)
    {
        var progressed = progress ?? offset > _rewindPoint;
        _earlyEndsInARow = progressed ? 0 : _earlyEndsInARow + (_endedEarly is null ? 0 : 1);
        var how = _endedEarly;
        _endedEarly = null;
        if (_earlyEndsInARow > _maxEarlyEnds)
        {
            return CommitDecision.Failed(ThrowHelper.WriteEndedWithoutProgress(_resourceName, offset, _earlyEndsInARow, how!));
        }

        _rewindPoint = CommittedSize = offset;
        _wrongFinalSize = null;
        Epoch++;
        return new CommitDecision(verdict, offset, progressed);
    }
}
