using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
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

    public override async Task Read(ReadRequest request, IServerStreamWriter<ReadResponse> responseStream, ServerCallContext context)
    {
        var record = log.Start(log.NextCallId(), ByteStreamMethod.Read, request.ResourceName, context.RequestHeaders);
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
                record = log.Start(callId, ByteStreamMethod.Write, string.Empty, context.RequestHeaders);
                throw InvalidArgument("The Write call ended without sending a WriteRequest.");
            }

            var first = requestStream.Current;
            record = log.Start(callId, ByteStreamMethod.Write, first.ResourceName, context.RequestHeaders);
            var response = await WriteCoreAsync(callId, first, requestStream, cancellation.Token).ConfigureAwait(false);
            record.End(StatusCode.OK);
            return response;
        }
        catch (Exception exception)
        {
            record ??= log.Start(callId, ByteStreamMethod.Write, string.Empty, context.RequestHeaders);
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
        var record = log.Start(log.NextCallId(), ByteStreamMethod.QueryWriteStatus, request.ResourceName, context.RequestHeaders);
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

        profile.ThrowIfReadUnsupported(request);
        if (!store.TryGetResource(name, out var resource))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No complete resource '{name}'."));
        }

        if (request.ReadOffset > resource.Length)
        {
            throw profile.OffsetBeyondEnd(name, request.ReadOffset, resource.Length);
        }

        using var reader = resource.OpenReader();
        var plan = profile.Adjust(faults.TakeReadPlan(name));
        var position = plan.IgnoreOffset ? 0 : request.ReadOffset;
        var end = plan.IgnoreLimit || request.ReadLimit == 0 || request.ReadLimit >= resource.Length - position
            ? resource.Length
            : position + request.ReadLimit;
        long sent = 0;
        while (true)
        {
            if (position == end && profile.EndlessRead && resource.Length > 0)
            {
                (position, end) = (0, resource.Length);
            }

            if (plan.CutAfter is { } cutAfter && (sent >= cutAfter || position == end))
            {
                if (plan.CutResets)
                {
                    throw new StreamResetException($"Injected reset (ResetRead) of '{name}' after {sent} bytes.");
                }

                if (plan.CutStatus == StatusCode.OK)
                {
                    return;
                }

                throw new RpcException(new Status(plan.CutStatus, $"Injected cut (CutRead) of '{name}' after {sent} bytes."));
            }

            if (plan.StallAfter is { } stallAfter && (sent >= stallAfter || position == end))
            {
                await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
            }

            if (position == end)
            {
                return;
            }

            var count = (int)Math.Min(
                Math.Min(end - position, profile.ReadChunkSize(options.ReadChunkSize)),
                Math.Min((plan.CutAfter ?? long.MaxValue) - sent, (plan.StallAfter ?? long.MaxValue) - sent));
            for (var i = 0; i < plan.EmptyResponsesBeforeEachChunk; i++)
            {
                await responseStream.WriteAsync(EmptyReadResponse, cancellationToken).ConfigureAwait(false);
            }

            // Stored bytes are never changed, so the message can wrap them instead of copying.
            var data = await reader.ReadAsync(position, count, cancellationToken).ConfigureAwait(false);
            var response = new ReadResponse { Data = UnsafeByteOperations.UnsafeWrap(data) };
            await responseStream.WriteAsync(response, cancellationToken).ConfigureAwait(false);
            position += count;
            sent += count;
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
        if (profile.StallsEveryCall)
        {
            await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
        }

        if (log.IsCurrent(callId) && faults.TryTakeEarlyEnd(name, out var earlySize))
        {
            return new WriteResponse { CommittedSize = earlySize ?? (store.TryGetExistingSize(name, out var size) ? size : -1) };
        }

        var existing = profile.ExistingResourceBehavior(options.ExistingResourceBehavior);
        if (existing != ExistingResourceBehavior.Overwrite && store.TryGetExistingSize(name, out var existingSize))
        {
            switch (existing)
            {
                case ExistingResourceBehavior.EndEarlyOk:
                    return new WriteResponse { CommittedSize = existingSize };
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

        var startOffset = first.WriteOffset;
        var upload = store.BeginWrite(name, startOffset, callId);
        var request = first;
        long received = 0;
        var finished = false;
        try
        {
            while (true)
            {
                var data = request.Data.Memory;
                if (log.IsCurrent(callId) && faults.TryTakeWriteCut(name, received, data.Length, out var keep, out var status, out var reset))
                {
                    Append(name, upload, callId, data[..keep]);
                    throw reset
                        ? new StreamResetException($"Injected reset (ResetWrite) of '{name}' after {received + keep} bytes of the call.")
                        : new RpcException(new Status(status, $"Injected cut (CutWrite) of '{name}' after {received + keep} bytes of the call."));
                }

                if (log.IsCurrent(callId) && faults.TryTakeWriteStall(name, received, data.Length, request.FinishWrite, out keep))
                {
                    Append(name, upload, callId, data[..keep]);
                    await WaitUntilCancelledAsync(cancellationToken).ConfigureAwait(false);
                }

                Append(name, upload, callId, data);
                received += data.Length;
                if (request.FinishWrite)
                {
                    var size = store.Finish(name, upload, callId);
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

        var (configuredMode, distort) = faults.GetQuerySettings();
        var mode = profile.QueryWriteStatusMode(configuredMode);
        switch (mode)
        {
            case QueryWriteStatusMode.Unimplemented:
                throw new RpcException(new Status(StatusCode.Unimplemented, "QueryWriteStatus is not implemented (QueryWriteStatusMode.Unimplemented)."));
            case QueryWriteStatusMode.NotFound:
                throw NotFound(name);
        }

        var found = store.TryGetWriteStatus(name, out var committedSize, out var complete);
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

    private void Append(string name, Upload upload, long callId, ReadOnlyMemory<byte> data) =>
        store.Append(name, upload, callId, data, commit: !faults.CommitOnlyOnFinish, faults.CommitLag);

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
