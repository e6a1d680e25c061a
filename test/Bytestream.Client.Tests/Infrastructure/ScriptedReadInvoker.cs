using System.Collections.Concurrent;
using Google.ByteStream;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Testing;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>
/// A <see cref="CallInvoker"/> that answers each Read call with the next <see cref="ScriptedReadCall"/>:
/// for read-path unit tests where a real server is overkill or cannot misbehave the way a test needs.
/// Any other method, or a Read beyond the scripts, fails the test.
/// </summary>
internal sealed class ScriptedReadInvoker : CallInvoker
{
    private readonly ConcurrentQueue<ScriptedReadCall> _scripts;
    private readonly ConcurrentQueue<ScriptedReadCall> _started = new();

    public ScriptedReadInvoker(params ScriptedReadCall[] scripts)
    {
        _scripts = new ConcurrentQueue<ScriptedReadCall>(scripts);
    }

    /// <summary>Gets the scripts whose call has started, in start order.</summary>
    public IReadOnlyList<ScriptedReadCall> Started => [.. _started];

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        if (method.Name != "Read" || request is not ReadRequest readRequest)
        {
            throw new AssertionException($"Unexpected call of {method.FullName}.");
        }

        if (!_scripts.TryDequeue(out var script))
        {
            throw new AssertionException($"Unexpected Read call number {_started.Count + 1} (offset {readRequest.ReadOffset}, limit {readRequest.ReadLimit}).");
        }

        script.Start(readRequest, options);
        _started.Enqueue(script);
        // Each message goes through the method's own marshaller, as it would off the wire.
        var reader = new ScriptedReader<TResponse>(script, payload => method.ResponseMarshaller.ContextualDeserializer(new PayloadContext(payload)), options.CancellationToken);
        return TestCalls.AsyncServerStreamingCall(
            reader,
            Task.FromResult(new Metadata()),
            () => reader.Status,
            () => new Metadata(),
            script.MarkDisposed);
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new AssertionException($"Unexpected call of {method.FullName}.");

    /// <summary>A received message's bytes, as gRPC hands them to a marshaller.</summary>
    private sealed class PayloadContext(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override byte[] PayloadAsNewBuffer() => (byte[])payload.Clone();

        public override System.Buffers.ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }

    /// <summary>Plays one script: its messages in order, then its end (OK, a status, or a hang until cancelled).</summary>
    private sealed class ScriptedReader<TResponse>(ScriptedReadCall script, Func<byte[], TResponse> deserialize, CancellationToken callToken)
        : IAsyncStreamReader<TResponse>
    {
        private int _next;

        public TResponse Current { get; private set; } = default!;

        public Status Status { get; private set; }

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            await Task.Yield();
            ThrowIfCancelled();
            if (_next < script.Messages.Count)
            {
                Current = deserialize(new ReadResponse { Data = UnsafeByteOperations.UnsafeWrap(script.Messages[_next++]) }.ToByteArray());
                return true;
            }

            switch (script.End)
            {
                case ScriptedReadCall.Ending.Ok:
                    Status = Status.DefaultSuccess;
                    return false;
                case ScriptedReadCall.Ending.Fail:
                    Status = new Status(script.FailStatus, "scripted failure");
                    throw new RpcException(Status);
                default:
                    using (var hang = CancellationTokenSource.CreateLinkedTokenSource(callToken, cancellationToken))
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, hang.Token).ContinueWith(static _ => { }, TaskScheduler.Default);
                    }

                    ThrowIfCancelled();
                    throw new RpcException(new Status(StatusCode.Cancelled, "cancelled through the MoveNext token"));
            }
        }

        private void ThrowIfCancelled()
        {
            if (callToken.IsCancellationRequested)
            {
                script.MarkCancelled();
                Status = new Status(StatusCode.Cancelled, "Call canceled by the client.");
                throw new RpcException(Status);
            }
        }
    }
}
