using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Bytestream.Testing.Internal;

/// <summary>
/// The ByteStream service of <see cref="ByteStreamTestServer"/>: the protocol's semantics over
/// <see cref="ResourceStore"/>, with the faults of <see cref="ByteStreamFaults"/> applied and every call recorded.
/// </summary>
internal sealed class ByteStreamService(
    ResourceStore store,
    ByteStreamFaults faults,
    CallLog log,
    ByteStreamTestServerOptions options,
    ProfileBehavior profile,
    CancellationToken stopping) : ByteStream.ByteStreamBase
{
    private static readonly ReadResponse EmptyReadResponse = new();

    // Compressed reads: zstd's default level, what REAPI servers send.
    private const int ReadCompressionLevel = 3;

    public override async Task Read(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, ServerCallContext context)
    {
        var record = log.Start(log.NextCallId(), ByteStreamMethod.Read, request.ResourceName, context);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        try
        {
            await ReadCoreAsync(request, responseStream, cancellation.Token).ConfigureAwait(false);
            record.End(StatusCode.OK);
        }
        catch (Exception exception)
        {
            var replacement = Ended(record, exception, context);
            if (replacement is not null)
            {
                throw replacement;
            }

            throw;
        }
    }

    public override async Task<WriteResponse> Write(IAsyncStreamReader<WriteRequest> requestStream, ServerCallContext context)
    {
        var callId = log.NextCallId();
        ByteStreamCallRecord? record = null;
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        try
        {
            if (!await requestStream.MoveNext(cancellation.Token).ConfigureAwait(false))
            {
                record = log.Start(callId, ByteStreamMethod.Write, string.Empty, context);
                throw InvalidArgument("The Write call ended without sending a WriteRequest.");
            }

            var first = requestStream.Current;
            record = log.Start(callId, ByteStreamMethod.Write, first.ResourceName, context);
            var response = await WriteCoreAsync(callId, first, requestStream, cancellation.Token).ConfigureAwait(false);
            record.End(StatusCode.OK);
            return response;
        }
        catch (Exception exception)
        {
            record ??= log.Start(callId, ByteStreamMethod.Write, string.Empty, context);
            var replacement = Ended(record, exception, context);
            if (replacement is not null)
            {
                throw replacement;
            }

            throw;
        }
    }

    public override async Task<QueryWriteStatusResponse> QueryWriteStatus(QueryWriteStatusRequest request, ServerCallContext context)
    {
        var record = log.Start(log.NextCallId(), ByteStreamMethod.QueryWriteStatus, request.ResourceName, context);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        try
        {
            var response = await QueryWriteStatusCoreAsync(request.ResourceName, cancellation.Token).ConfigureAwait(false);
            record.End(StatusCode.OK);
            return response;
        }
        catch (Exception exception)
        {
            var replacement = Ended(record, exception, context);
            if (replacement is not null)
            {
                throw replacement;
            }

            throw;
        }
    }

    private async Task ReadCoreAsync(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, CancellationToken cancellationToken)
    {
        var name = request.ResourceName;
        ThrowIfFailureInjected(ByteStreamMethod.Read, name);
        if (name.Length == 0)
        {
            throw InvalidArgument("ReadRequest.resource_name is empty.");
        }

        store.ThrowIfInvalidName(name);
        if (request.ReadOffset < 0 || request.ReadLimit < 0)
        {
            throw InvalidArgument($"read_offset ({request.ReadOffset}) and read_limit ({request.ReadLimit}) must not be negative.");
        }

        var compressed = CompressedBlob(name);
        if (compressed is not null && request.ReadLimit != 0)
        {
            throw InvalidArgument($"read_limit must be 0 for the compressed blob '{name}' (REAPI), not {request.ReadLimit}.");
        }

        profile.ThrowIfReadUnsupported(request);
        if (!store.TryGetResource(compressed?.PlainReadName ?? name, out var resource))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No complete resource '{name}'."));
        }

        if (request.ReadOffset > resource.Length)
        {
            throw profile.OffsetBeyondEnd(name, request.ReadOffset, resource.Length);
        }

        var plan = profile.Adjust(faults.TakeReadPlan(name));
        var start = plan.IgnoreOffset ? 0 : request.ReadOffset;
        var end = plan.IgnoreLimit || request.ReadLimit == 0 || request.ReadLimit >= resource.Length - start
            ? resource.Length
            : start + request.ReadLimit;
        var passes = plan.RepeatData ? 2 : 1;
        var frame = compressed is not null && start == 0
            ? await resource.GetZstdFrameAsync(ReadCompressionLevel, cancellationToken).ConfigureAwait(false)
            : null;
        using IReadPayload payload = compressed is null ? new PlainReadPayload(resource, start, end, passes, profile.EndlessRead)
            : frame is not null ? new PlainReadPayload(frame, 0, frame.Length, passes, endless: false)
            : new ZstdReadPayload(resource, start, passes, ReadCompressionLevel);
        long sent = 0;
        while (true)
        {
            var cutDue = sent >= plan.CutAfter;
            var stallDue = sent >= plan.StallAfter;
            var data = ReadOnlyMemory<byte>.Empty;
            if (!cutDue && !stallDue)
            {
                var max = Math.Min(
                    profile.ReadChunkSize(options.ReadChunkSize),
                    Math.Min((plan.CutAfter ?? long.MaxValue) - sent, (plan.StallAfter ?? long.MaxValue) - sent));
                data = await payload.NextAsync((int)Math.Min(max, int.MaxValue), cancellationToken).ConfigureAwait(false);
            }

            // Marks fire when reached, or at the end of the data when they lie beyond it.
            var atEnd = !cutDue && !stallDue && data.IsEmpty;
            if (plan.CutAfter is not null && (cutDue || atEnd))
            {
                switch (plan.CutKind)
                {
                    case CutKind.ResetStream:
                        throw new StreamResetException($"Injected reset (ResetRead) of '{name}' after {sent} bytes.");
                    case CutKind.GoAway:
                        throw new ConnectionDrainException($"Injected GOAWAY (GoAwayRead) of '{name}' after {sent} bytes: the server is shutting down.");
                }

                if (plan.CutStatus == StatusCode.OK)
                {
                    return;
                }

                throw new RpcException(new Status(plan.CutStatus, $"Injected cut (CutRead) of '{name}' after {sent} bytes."));
            }

            if (plan.StallAfter is not null && (stallDue || atEnd))
            {
                await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
            }

            if (atEnd)
            {
                return;
            }

            for (var i = 0; i < plan.EmptyResponsesBeforeEachChunk; i++)
            {
                await responseStream.WriteAsync(EmptyReadResponse, cancellationToken).ConfigureAwait(false);
            }

            // Payload bytes are never changed, so the message can wrap them instead of copying.
            var response = new ReadResponse { Data = UnsafeByteOperations.UnsafeWrap(data) };
            await responseStream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
            sent += data.Length;
        }
    }

    private async Task<WriteResponse> WriteCoreAsync(
        long callId, WriteRequest first, IAsyncStreamReader<WriteRequest> requestStream, CancellationToken cancellationToken)
    {
        var name = first.ResourceName;
        Record(callId, first);

        // A Write that outlived a Reset (its client is gone or slow) must not use up the next test's faults.
        if (log.IsCurrent(callId))
        {
            ThrowIfFailureInjected(ByteStreamMethod.Write, name);
        }

        if (name.Length == 0)
        {
            throw InvalidArgument("The first WriteRequest of a call must carry resource_name.");
        }

        store.ThrowIfInvalidName(name);
        var compressed = CompressedBlob(name);
        if (profile.StallsEveryCall)
        {
            await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
        }

        // REAPI: a compressed Write of a blob that exists ends with -1 (buildfarm: the uncompressed size).
        long ExistingAnswer(long size) => compressed is null ? size : faults.ReportUncompressedCommittedSize ? compressed.Size : -1;
        if (log.IsCurrent(callId) && faults.TryTakeEarlyEnd(name, out var earlySize))
        {
            return new WriteResponse { CommittedSize = earlySize ?? ExistingAnswer(store.TryGetExistingSize(name, out var size) ? size : -1) };
        }

        var existing = profile.ExistingResourceBehavior(options.ExistingResourceBehavior);
        if (existing != ExistingResourceBehavior.Overwrite && store.TryGetExistingSize(name, out var existingSize))
        {
            switch (existing)
            {
                case ExistingResourceBehavior.EndEarlyOk:
                    return new WriteResponse { CommittedSize = ExistingAnswer(existingSize) };
                case ExistingResourceBehavior.AlreadyExists:
                    throw new RpcException(new Status(StatusCode.AlreadyExists, $"'{name}' already exists."));
                default:
                    throw InvalidArgument($"'{name}' already exists and cannot be overwritten.");
            }
        }

        if (first.WriteOffset < 0)
        {
            throw InvalidArgument($"write_offset {first.WriteOffset} is negative.");
        }

        if (compressed is not null && first.WriteOffset != 0)
        {
            // Its committed bytes are compressed ones: an uncompressed offset cannot continue them (bazel-remote, NativeLink).
            throw InvalidArgument($"The compressed upload '{name}' cannot resume at write_offset {first.WriteOffset}: start again at 0.");
        }

        var startOffset = first.WriteOffset;
        var upload = store.BeginWrite(name, startOffset, callId, noRewind: options.RequireWriteOffsetAtCommittedSize);
        using var decoder = compressed is null
            ? null
            : new ZstdUploadDecoder(compressed, name, store.StartDecoded(name, compressed.Size), options.VerifyUploadDigests ? BlobDigests.CreateHasher(compressed) : null);
        var request = first;
        long received = 0;
        var finished = false;
        try
        {
            while (true)
            {
                var data = request.Data.Memory;
                if (log.IsCurrent(callId) && faults.TryTakeWriteCut(name, received, data.Length, out var keep, out var status, out var kind))
                {
                    Append(name, upload, callId, data[..keep], decoder);
                    throw kind switch
                    {
                        CutKind.ResetStream => new StreamResetException($"Injected reset (ResetWrite) of '{name}' after {received + keep} bytes of the call."),
                        CutKind.GoAway => new ConnectionDrainException($"Injected GOAWAY (GoAwayWrite) of '{name}' after {received + keep} bytes of the call: the server is shutting down."),
                        _ => new RpcException(new Status(status, $"Injected cut (CutWrite) of '{name}' after {received + keep} bytes of the call.")),
                    };
                }

                if (log.IsCurrent(callId) && faults.TryTakeWriteStall(name, received, data.Length, request.FinishWrite, out keep))
                {
                    Append(name, upload, callId, data[..keep], decoder);
                    await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
                }

                Append(name, upload, callId, data, decoder);
                received += data.Length;
                if (request.FinishWrite)
                {
                    var size = Finish(name, upload, callId, compressed, decoder);
                    finished = true;
                    if (await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
                    {
                        Record(callId, requestStream.Current);
                        throw InvalidArgument($"A WriteRequest for '{name}' arrived after finish_write.");
                    }

                    return new WriteResponse { CommittedSize = size + faults.FinalCommittedSizeDelta + profile.FinalSizeDelta };
                }

                if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    var committed = store.EndWithoutFinish(name, upload, callId, failed: false, startOffset, 0, faults.CommitOnlyOnFinish);
                    return new WriteResponse { CommittedSize = committed };
                }

                request = requestStream.Current;
                Record(callId, request);
                CheckFollowingRequest(name, request, startOffset + received);
            }
        }
        catch (Exception) when (!finished)
        {
            store.EndWithoutFinish(name, upload, callId, failed: true, startOffset, faults.CommitLag, faults.CommitOnlyOnFinish, forget: faults.ForgetUploadOnFailure);
            throw;
        }
    }

    /// <summary>
    /// Stores a finished upload (a compressed one decoded, checked against its digest when the options ask) and
    /// returns the committed size to answer: the bytes received, or a compressed blob's size where buildfarm reports that.
    /// </summary>
    private long Finish(string name, Upload upload, long callId, ReapiNames? compressed, ZstdUploadDecoder? decoder)
    {
        if (decoder is null)
        {
            Action? verify = options.VerifyUploadDigests && ReapiNames.TryParse(name, out var blob) && blob.IsUpload
                ? () => VerifyDigest(name, blob, upload.ToArray())
                : null;
            return store.Finish(name, upload, callId, verify: verify);
        }

        decoder.Finish();
        var size = store.Finish(name, upload, callId, decoder.Output, options.VerifyUploadDigests ? () => CheckDigest(name, compressed!, decoder.FinishDigest(), decoder.Decoded) : null);
        return faults.ReportUncompressedCommittedSize ? decoder.Decoded : size;
    }

    private async Task<QueryWriteStatusResponse> QueryWriteStatusCoreAsync(string name, CancellationToken cancellationToken)
    {
        ThrowIfFailureInjected(ByteStreamMethod.QueryWriteStatus, name);
        if (faults.TryTakeQueryStall(name) || profile.StallsEveryCall)
        {
            await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
        }

        if (name.Length == 0)
        {
            throw InvalidArgument("QueryWriteStatusRequest.resource_name is empty.");
        }

        store.ThrowIfInvalidName(name);
        var compressed = CompressedBlob(name);

        var (configuredMode, distort) = faults.GetQuerySettings();
        var mode = profile.QueryWriteStatusMode(configuredMode);
        switch (mode)
        {
            case QueryWriteStatusMode.Unimplemented:
                throw new RpcException(new Status(StatusCode.Unimplemented, "QueryWriteStatus is not implemented (QueryWriteStatusMode.Unimplemented)."));
            case QueryWriteStatusMode.NotFound:
                throw NotFound(name);
        }

        var found = store.TryGetWriteStatus(name, out var committedSize, out var complete, out var decoded);
        if (found && compressed is not null && faults.ReportUncompressedCommittedSize)
        {
            committedSize = complete ? compressed.Size : decoded;
        }

        if (distort is not null)
        {
            (committedSize, complete) = found ? distort(committedSize, complete) : throw NotFound(name);
        }
        else if (mode == QueryWriteStatusMode.ZeroOrComplete)
        {
            (committedSize, complete) = found && complete ? (committedSize, true) : (0, false);
        }
        else if (!found)
        {
            throw NotFound(name);
        }

        (committedSize, complete) = profile.Distort(name, committedSize, complete);
        return new QueryWriteStatusResponse { CommittedSize = committedSize, Complete = complete };
    }

    private void Append(string name, Upload upload, long callId, ReadOnlyMemory<byte> data, ZstdUploadDecoder? decoder)
    {
        decoder?.Feed(data.Span);
        store.Append(name, upload, callId, data, commit: !faults.CommitOnlyOnFinish, faults.CommitLag, decoder?.Decoded ?? 0);
    }

    /// <summary>
    /// The parsed name of a <c>compressed-blobs/zstd/</c> name the server serves, or <see langword="null"/> for any name
    /// that is not compressed. A server without compressed blobs, or a compressor other than zstd, fails the call.
    /// </summary>
    private ReapiNames? CompressedBlob(string name)
    {
        if (!ReapiNames.TryParse(name, out var parsed) || parsed.Compressor is null)
        {
            return null;
        }

        return options.CompressedBlobs switch
        {
            CompressedBlobSupport.Unimplemented => throw new RpcException(new Status(StatusCode.Unimplemented, $"Compressed blobs are not implemented by this server ('{name}').")),
            CompressedBlobSupport.InvalidArgument => throw InvalidArgument($"'{name}' is not a resource name this server knows (no compressed blobs)."),
            _ when parsed.Compressor != "zstd" => throw InvalidArgument($"The compressor '{parsed.Compressor}' of '{name}' is not supported: only zstd."),
            _ => parsed,
        };
    }

    /// <summary>REAPI servers refuse an upload whose data does not match its name: INVALID_ARGUMENT naming both digests.</summary>
    private static void VerifyDigest(string name, ReapiNames blob, byte[] data)
    {
        if (data.LongLength != blob.Size)
        {
            throw InvalidArgument($"The upload '{name}' has {data.LongLength} bytes, not the size {blob.Size} its name gives.");
        }

        CheckDigest(name, blob, BlobDigests.Compute(blob, data), data.LongLength);
    }

    /// <summary>Refuses an upload of <paramref name="length"/> bytes whose hash, <paramref name="actual"/> (<see langword="null"/>: not computed), is not its name's.</summary>
    private static void CheckDigest(string name, ReapiNames blob, string? actual, long length)
    {
        if (actual is null)
        {
            throw InvalidArgument($"The digest function of '{name}' is not one the test server checks (sha256, sha1, md5, sha384, sha512, blake3).");
        }

        if (!string.Equals(actual, blob.Hash, StringComparison.OrdinalIgnoreCase))
        {
            throw InvalidArgument($"The upload '{name}' has digest {actual}/{length}, not {blob.Hash}/{blob.Size} as its name says.");
        }
    }

    private void CheckFollowingRequest(string name, WriteRequest request, long expectedOffset)
    {
        if (request.ResourceName.Length == 0 ? options.RequireResourceNameOnEveryRequest : request.ResourceName != name)
        {
            throw InvalidArgument(request.ResourceName.Length == 0
                ? "Every WriteRequest must carry resource_name (RequireResourceNameOnEveryRequest)."
                : $"WriteRequest.resource_name '{request.ResourceName}' differs from the call's first request ('{name}').");
        }

        if (request.WriteOffset != expectedOffset)
        {
            throw InvalidArgument($"write_offset {request.WriteOffset} of '{name}' is not contiguous: expected {expectedOffset}.");
        }
    }

    private void Record(long callId, WriteRequest request) =>
        log.AddWriteRequest(new WriteRequestRecord(callId, request.ResourceName, request.WriteOffset, request.Data.Length, request.FinishWrite));

    private void ThrowIfFailureInjected(ByteStreamMethod method, string name)
    {
        if (faults.TryTakeFailure(method, name, out var status))
        {
            throw new RpcException(new Status(status, $"Injected failure (FailNext) of {method} on '{name}'."));
        }
    }

    /// <summary>
    /// Records how the call ended. Returns the exception to throw instead of the one caught (a stop of the
    /// server becomes UNAVAILABLE), or null to rethrow it.
    /// </summary>
    private RpcException? Ended(ByteStreamCallRecord record, Exception exception, ServerCallContext context)
    {
        if (exception is StreamResetException)
        {
            // RST_STREAM INTERNAL_ERROR (0x2): the client sees its stream reset, not a gRPC status.
            context.GetHttpContext().Features.GetRequiredFeature<IHttpResetFeature>().Reset(0x2);
            record.End(StatusCode.Internal);
            return new RpcException(new Status(StatusCode.Internal, exception.Message));
        }

        if (exception is ConnectionDrainException)
        {
            // GOAWAY: the connection takes no new streams and closes once its streams have ended.
            context.GetHttpContext().Features.GetRequiredFeature<IConnectionLifetimeNotificationFeature>().RequestClose();
            record.End(StatusCode.Unavailable);
            return new RpcException(new Status(StatusCode.Unavailable, exception.Message));
        }

        if (exception is RpcException rpc)
        {
            record.End(rpc.StatusCode);
            return null;
        }

        if (context.CancellationToken.IsCancellationRequested)
        {
            var deadlinePassed = context.Deadline <= TimeProvider.System.GetUtcNow().UtcDateTime;
            record.End(deadlinePassed ? StatusCode.DeadlineExceeded : StatusCode.Cancelled);
            return null;
        }

        if (stopping.IsCancellationRequested)
        {
            record.End(StatusCode.Unavailable);
            return new RpcException(new Status(StatusCode.Unavailable, "The test server is stopping."));
        }

        // A reset stream can fail the read before the call's token reports the client's cancellation.
        record.End(exception is IOException or OperationCanceledException ? StatusCode.Cancelled : StatusCode.Unknown);
        return null;
    }

    private static async Task WaitUntilCancelledAsync(CancellationToken cancellationToken)
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (cancellationToken.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), cancelled))
        {
            await cancelled.Task.ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    private static RpcException NotFound(string name) => new(new Status(StatusCode.NotFound, $"No upload or resource '{name}'."));
}
