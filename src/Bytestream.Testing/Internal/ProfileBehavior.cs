using System.Collections.Concurrent;
using Google.ByteStream;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bytestream.Testing.Internal;

/// <summary>
/// What a <see cref="ByteStreamServerProfile"/> changes in <see cref="ByteStreamService"/>: each member is one
/// point where the service asks, and answers the spec's behaviour for <see cref="ByteStreamServerProfile.Standard"/>.
/// </summary>
internal sealed class ProfileBehavior(ByteStreamServerProfile profile)
{
    private const long BeyondReceived = 1024 * 1024;

    // CommittedGoingBackwards: the last answer about each unfinished upload.
    private readonly ConcurrentDictionary<string, long> _lastAnswers = new(StringComparer.Ordinal);

    /// <summary>Gets whether every call stops moving bytes before it answers (<see cref="ByteStreamServerProfile.StallsForever"/>).</summary>
    public bool StallsEveryCall => profile == ByteStreamServerProfile.StallsForever;

    /// <summary>Gets whether a Read starts again at byte 0 whenever it reaches its end.</summary>
    public bool EndlessRead => profile == ByteStreamServerProfile.EndlessRead;

    /// <summary>Gets the bytes added to the answer to finish_write.</summary>
    public long FinalSizeDelta => profile == ByteStreamServerProfile.WrongFinalCommittedSize ? 1 : 0;

    /// <summary>Gets whether Write calls end with OK but without their WriteResponse (a middleware drops it).</summary>
    public bool DropsWriteResponses => profile == ByteStreamServerProfile.OkWithoutResponse;

    /// <summary>Buildbarn refuses any read_limit but 0 before it looks at the resource.</summary>
    public void ThrowIfReadUnsupported(ReadRequest request)
    {
        if (profile == ByteStreamServerProfile.Buildbarn && request.ReadLimit != 0)
        {
            throw new RpcException(new Status(StatusCode.Unimplemented, "Buildbarn profile: nonzero read limits are not supported."));
        }
    }

    /// <summary>The error for a read_offset beyond the end: OUT_OF_RANGE by the spec, INVALID_ARGUMENT for Buildbarn.</summary>
    public RpcException OffsetBeyondEnd(string name, long offset, long length) => new(new Status(
        profile == ByteStreamServerProfile.Buildbarn ? StatusCode.InvalidArgument : StatusCode.OutOfRange,
        $"read_offset {offset} is beyond the end of '{name}' ({length} bytes)."));

    public ReadFaultPlan Adjust(ReadFaultPlan plan) => profile switch
    {
        ByteStreamServerProfile.IgnoresReadOffset => plan with { IgnoreOffset = true },
        ByteStreamServerProfile.StallsForever => plan with { StallAfter = 0 },
        _ => plan,
    };

    /// <summary>The data bytes per ReadResponse: everything asked for in one message when oversized.</summary>
    public int ReadChunkSize(int configured) => profile == ByteStreamServerProfile.OversizedReadMessages ? int.MaxValue : configured;

    public ExistingResourceBehavior ExistingResourceBehavior(ExistingResourceBehavior configured) =>
        profile == ByteStreamServerProfile.BazelRemote ? Testing.ExistingResourceBehavior.EndEarlyOk : configured;

    public QueryWriteStatusMode QueryWriteStatusMode(QueryWriteStatusMode configured) => profile switch
    {
        ByteStreamServerProfile.Buildbarn => Testing.QueryWriteStatusMode.Unimplemented,
        ByteStreamServerProfile.BazelRemote => Testing.QueryWriteStatusMode.ZeroOrComplete,
        _ => configured,
    };

    /// <summary>What QueryWriteStatus reports instead of the truth, for the hostile profiles.</summary>
    public (long CommittedSize, bool Complete) Distort(string name, long committedSize, bool complete)
    {
        if (complete)
        {
            return (committedSize, true);
        }

        switch (profile)
        {
            case ByteStreamServerProfile.CommittedBeyondReceived:
                return (committedSize + BeyondReceived, false);
            case ByteStreamServerProfile.CommittedGoingBackwards:
                var answer = _lastAnswers.AddOrUpdate(name, committedSize, static (_, last) => Math.Max(0, last - 1));
                return (answer, false);
            default:
                return (committedSize, false);
        }
    }

    public void Clear() => _lastAnswers.Clear();

    /// <summary>
    /// Middleware for <see cref="ByteStreamServerProfile.OkWithoutResponse"/>: lets the Write handler run, but sends
    /// none of its response body, so the call ends with its trailers (status OK) and no message.
    /// </summary>
    public static async Task DropWriteResponsesAsync(HttpContext context, RequestDelegate next)
    {
        if (!context.Request.Path.Value!.EndsWith("/Write", StringComparison.Ordinal))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null, original));
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            context.Features.Set(original);
        }
    }
}
