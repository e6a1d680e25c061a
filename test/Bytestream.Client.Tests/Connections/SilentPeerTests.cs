using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Tests.Connections;

/// <summary>
/// A peer that accepts TCP and never answers, not even the HTTP/2 handshake, used to end every attempt with INTERNAL
/// when the keepalive ping timed out (45 s with the defaults), retried five times: minutes. The ping of the first
/// attempt now ends the operation with one DEADLINE_EXCEEDED that names the address and what was waited for, not retried.
/// The pings run 1 s apart instead of 30 s to keep the test short; the stall timeout is off, so only they can notice.
/// </summary>
[Category("Connections")]
public class SilentPeerTests
{
    private const int RetryScheduledEvent = 1;
    private static readonly TimeSpan Ping = TimeSpan.FromSeconds(1);

    private static readonly Dictionary<string, Func<ByteStreamClient, Task>> Operations = new()
    {
        ["QueryWriteStatusAsync"] = c => c.QueryWriteStatusAsync("main/uploads/u/blobs/abc/3"),
        ["UploadAsync"] = c => c.UploadAsync("main/uploads/u/blobs/abc/3", new byte[3]),
        ["ReadAllBytesAsync"] = c => c.ReadAllBytesAsync("main/blobs/abc/3"),
    };

    [TestCaseSource(nameof(OperationNames))]
    public async Task Operation_PeerNeverAnswers_EndsWithOneDeadlineExceededNamingTheAddress_NotRetried(string operation)
    {
        using var peer = new SilentPeer();
        using var channel = ByteStreamChannel.ForAddress(peer.Address, options =>
        {
            var handler = (SocketsHttpHandler)options.HttpHandler!;
            handler.KeepAlivePingDelay = Ping;
            handler.KeepAlivePingTimeout = Ping;
        });
        using var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions
        {
            LoggerFactory = loggerFactory,
            StallTimeout = null,
            MaxRetryAttempts = 5,
            InitialBackoff = TimeSpan.Zero,
            MaxBackoff = TimeSpan.Zero,
        });

        var error = Assert.ThrowsAsync<RpcException>(() => Operations[operation](client).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.DeadlineExceeded));
            Assert.That(error.Status.Detail, Does.Contain($"The server at 127.0.0.1:{peer.Address.Port} accepted the connection but never answered"));
            Assert.That(error.Status.Detail, Does.Contain("keepalive ping"), "says what was waited for");
            Assert.That(logs.Entries.Count(e => e.EventId.Id == RetryScheduledEvent), Is.Zero, "not retried");
            Assert.That(peer.Accepted, Is.GreaterThanOrEqualTo(1), "the peer accepted the connection");
        });
    }

    private static string[] OperationNames() => [.. Operations.Keys];
}
