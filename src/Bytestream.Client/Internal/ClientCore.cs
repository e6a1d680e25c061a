using Google.ByteStream;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;

namespace Bytestream.Client.Internal;

/// <summary>What every operation of one <see cref="ByteStreamClient"/> shares: the stub, a frozen copy of the options, the pipeline, the logger.</summary>
internal sealed class ClientCore
{
    public ClientCore(Grpc.Core.CallInvoker callInvoker, ByteStreamClientOptions? options, string? target)
    {
        ArgumentNullException.ThrowIfNull(callInvoker);
        Options = (options ?? new ByteStreamClientOptions()).Clone();
        Options.Validate();
        Logger = (Options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Bytestream.Client.ByteStreamClient");
        CallInvoker = callInvoker;
        Target = target;
        Stub = new ByteStream.ByteStreamClient(callInvoker);
        Pipeline = RetryPipelineFactory.Create(Options, Logger);
    }

    /// <summary>The invoker under <see cref="Stub"/>, for calls with the client's own marshallers (<see cref="PooledReadMethod"/>).</summary>
    public Grpc.Core.CallInvoker CallInvoker { get; }

    public ByteStream.ByteStreamClient Stub { get; }

    /// <summary>The channel's target (host:port) for messages, when the client was built on a channel.</summary>
    public string? Target { get; }

    public ByteStreamClientOptions Options { get; }

    public ILogger Logger { get; }

    public ResiliencePipeline Pipeline { get; }

    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>Gets or sets whether the server answered a compressed name the client chose as one it does not know: later transfers go uncompressed.</summary>
    public bool CompressionUnsupported
    {
        get => Volatile.Read(ref _compressionUnsupported);
        set => Volatile.Write(ref _compressionUnsupported, value);
    }

    /// <summary>Gets whether the server has answered this client (a call returned, made progress, or ended with the server's own status); see <see cref="PeerFailure"/>.</summary>
    public bool PeerHasAnswered => Volatile.Read(ref _peerHasAnswered);

    /// <summary>Records that the server answered.</summary>
    public void MarkPeerAnswered() => Volatile.Write(ref _peerHasAnswered, true);

    private bool _compressionUnsupported;
    private bool _peerHasAnswered;
}
