using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client.Tests.Infrastructure;

/// <summary>What one scripted Read call sends, and what the client asked of it.</summary>
internal sealed class ScriptedReadCall
{
    private readonly List<ReadOnlyMemory<byte>> _messages = [];
    private volatile bool _disposed;
    private volatile bool _cancelled;

    public enum Ending { Ok, Fail, Hang }

    public IReadOnlyList<ReadOnlyMemory<byte>> Messages => _messages;

    public Ending End { get; private set; }

    public StatusCode FailStatus { get; private set; }

    /// <summary>Gets the request of the call, once it started.</summary>
    public ReadRequest? Request { get; private set; }

    /// <summary>Gets the options of the call (headers, cancellation), once it started.</summary>
    public CallOptions Options { get; private set; }

    public bool Disposed => _disposed;

    /// <summary>Gets whether the client cancelled the call while the script was playing.</summary>
    public bool Cancelled => _cancelled;

    /// <summary>Sends <paramref name="data"/> in one ReadResponse.</summary>
    public ScriptedReadCall Send(ReadOnlyMemory<byte> data)
    {
        _messages.Add(data);
        return this;
    }

    /// <summary>Sends <paramref name="data"/> in ReadResponses of <paramref name="chunkSize"/> bytes.</summary>
    public ScriptedReadCall SendChunked(ReadOnlyMemory<byte> data, int chunkSize)
    {
        for (var i = 0; i < data.Length; i += chunkSize)
        {
            _messages.Add(data.Slice(i, Math.Min(chunkSize, data.Length - i)));
        }

        return this;
    }

    /// <summary>Sends <paramref name="count"/> empty ReadResponses (keep-alives).</summary>
    public ScriptedReadCall KeepAlive(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _messages.Add(ReadOnlyMemory<byte>.Empty);
        }

        return this;
    }

    /// <summary>Ends the call with <paramref name="status"/> after the messages.</summary>
    public ScriptedReadCall Fail(StatusCode status)
    {
        End = Ending.Fail;
        FailStatus = status;
        return this;
    }

    /// <summary>Sends nothing more after the messages until the client cancels the call.</summary>
    public ScriptedReadCall Hang()
    {
        End = Ending.Hang;
        return this;
    }

    internal void Start(ReadRequest request, CallOptions options)
    {
        Request = request;
        Options = options;
    }

    internal void MarkDisposed() => _disposed = true;

    internal void MarkCancelled() => _cancelled = true;
}
