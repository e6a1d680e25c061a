using Bytestream.Client.Internal;
using Google.ByteStream;
using Grpc.Core;

namespace Bytestream.Client;

/// <summary>
/// A client for the Google ByteStream gRPC API (<c>google.bytestream.ByteStream</c>): reads that
/// resume where a failure cut them, uploads that resume from the server's committed size, and
/// <see cref="Stream"/> adapters for both directions. Thread-safe: one instance serves any number
/// of concurrent transfers over its channel.
/// </summary>
public partial class ByteStreamClient
{
    private readonly ClientCore _core;
    private readonly SharedUploads _sharedUploads = new();

    /// <summary>Creates a client for mocking; its operations must be overridden.</summary>
    protected ByteStreamClient()
    {
        _core = null!;
    }

    /// <summary>Creates a client that makes its calls on <paramref name="channel"/>.</summary>
    /// <param name="channel">The channel to the ByteStream server, for example a <c>GrpcChannel</c>.</param>
    /// <param name="options">The client's settings; copied, so later changes have no effect. Defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="channel"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> contradict each other (<see cref="ByteStreamClientOptions.MaxBackoff"/> below <see cref="ByteStreamClientOptions.InitialBackoff"/>).</exception>
    public ByteStreamClient(ChannelBase channel, ByteStreamClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _core = new ClientCore(channel.CreateCallInvoker(), options, channel.Target);
    }

    /// <summary>Creates a client that makes its calls through <paramref name="callInvoker"/> (interceptors, client factories).</summary>
    /// <param name="callInvoker">The invoker of the gRPC calls.</param>
    /// <param name="options">The client's settings; copied, so later changes have no effect. Defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="callInvoker"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> contradict each other (<see cref="ByteStreamClientOptions.MaxBackoff"/> below <see cref="ByteStreamClientOptions.InitialBackoff"/>).</exception>
    public ByteStreamClient(CallInvoker callInvoker, ByteStreamClientOptions? options = null)
    {
        _core = new ClientCore(callInvoker, options, target: null);
    }

    /// <summary>The shared state of this client's operations; tests inspect the options a client was built with.</summary>
    internal ClientCore Core => _core;

    /// <summary>
    /// Asks the server how many bytes of an upload it has committed and whether the upload is complete.
    /// Transient failures are retried like any other call.
    /// </summary>
    /// <param name="resourceName">The resource name the upload writes to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The committed size and whether the write is complete.</returns>
    /// <exception cref="ArgumentException"><paramref name="resourceName"/> is <see langword="null"/>, empty, white space or holds a control character.</exception>
    /// <exception cref="RpcException">The server's error, for example <see cref="StatusCode.NotFound"/> for an unknown upload.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public virtual Task<WriteStatus> QueryWriteStatusAsync(string resourceName, CancellationToken cancellationToken = default)
    {
        Guard.ResourceName(resourceName);
        return QueryWriteStatusCoreAsync(resourceName, cancellationToken);
    }

    private async Task<WriteStatus> QueryWriteStatusCoreAsync(string resourceName, CancellationToken cancellationToken)
    {
        var telemetry = new OperationTelemetry("query_write_status", resourceName, _core.TimeProvider);
        telemetry.Start();
        try
        {
            var status = await ResumableStep.RunAsync(
                _core,
                resourceName,
                (Core: _core, Name: resourceName),
                static async (s, ct) => StepResult<WriteStatus>.Done(
                    (await WriteStatusQuery.AskAsync(s.Core, s.Name, headers: null, ct).ConfigureAwait(false)).StatusOrThrow()),
                cancellationToken).ConfigureAwait(false);
            telemetry.Succeed(0, status.CommittedSize, 0);
            return status;
        }
        catch (Exception ex)
        {
            telemetry.Fail(ex, 0, null, 0);
            throw;
        }
    }
}
