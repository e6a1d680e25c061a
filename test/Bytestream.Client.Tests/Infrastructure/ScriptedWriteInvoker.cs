using System.Collections.Concurrent;
using Google.ByteStream;
using Grpc.Core;
using Grpc.Core.Testing;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>
/// A <see cref="CallInvoker"/> that answers each Write call with the next <see cref="ScriptedWriteCall"/> and
/// each QueryWriteStatus with the next scripted answer: for unit tests of the upload session where a real
/// server cannot misbehave the way a test needs (the counterpart of <see cref="ScriptedReadInvoker"/>).
/// Any other call, or one beyond the scripts, fails the test.
/// </summary>
internal sealed class ScriptedWriteInvoker : CallInvoker
{
    private readonly ConcurrentQueue<ScriptedWriteCall> _writes;
    private readonly ConcurrentQueue<Func<QueryWriteStatusResponse>> _statuses = new();
    private readonly ConcurrentQueue<ScriptedWriteCall> _started = new();

    public ScriptedWriteInvoker(params ScriptedWriteCall[] writes)
    {
        _writes = new ConcurrentQueue<ScriptedWriteCall>(writes);
    }

    /// <summary>Gets the scripts whose call has started, in start order.</summary>
    public IReadOnlyList<ScriptedWriteCall> Started => [.. _started];

    /// <summary>Queues the answer of the next QueryWriteStatus: a committed size, or a thrown <see cref="RpcException"/>.</summary>
    public ScriptedWriteInvoker ThenStatus(Func<QueryWriteStatusResponse> answer)
    {
        _statuses.Enqueue(answer);
        return this;
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        if (method.Name != "Write" || !_writes.TryDequeue(out var script))
        {
            throw new AssertionException($"Unexpected {method.FullName} call number {_started.Count + 1}.");
        }

        _started.Enqueue(script);
        script.Start(options.CancellationToken);
        var response = script.Response.ContinueWith(t => (TResponse)(object)t.GetAwaiter().GetResult(), TaskScheduler.Default);
        script.ClientResponse = response;
        return TestCalls.AsyncClientStreamingCall(
            (IClientStreamWriter<TRequest>)(object)script,
            response,
            Task.FromResult(new Metadata()),
            () => script.Response.IsCompletedSuccessfully ? Status.DefaultSuccess : new Status(StatusCode.Unknown, "scripted"),
            () => new Metadata(),
            () => { });
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (method.Name != "QueryWriteStatus" || !_statuses.TryDequeue(out var answer))
        {
            throw new AssertionException($"Unexpected {method.FullName} call.");
        }

        Task<TResponse> response;
        try
        {
            response = Task.FromResult((TResponse)(object)answer());
        }
        catch (RpcException ex)
        {
            response = Task.FromException<TResponse>(ex);
        }

        return TestCalls.AsyncUnaryCall(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => new Metadata(), () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");
}
