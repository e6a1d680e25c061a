using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// An address that answers HTTP/1.x (a web server, <c>python3 -m http.server</c>) used to give INTERNAL, five
/// retries, then a raw HTTP/2 PROTOCOL_ERROR. Now every operation fails at once with one clear sentence.
/// </summary>
/// <remarks>
/// "At once" has one exception the client cannot avoid: when the server closes the connection before .NET has read its
/// answer, .NET reports only that the HTTP/2 handshake did not complete, which a server restarting or a load balancer
/// without backends also causes, so it is retried like any lost connection. The next connection then gets the answer.
/// Retries are counted from the client's retry log: the server's count of TCP connections also sees gRPC's own
/// reconnection of its subchannel after a failed connection, which is not a retry of the call.
/// </remarks>
[Category("Reliability")]
public class NotGrpcServerTests
{
    private const int RetryScheduledEvent = 1;

    private static readonly Dictionary<string, Func<Task<NotGrpcServer>>> Servers = new()
    {
        ["Kestrel HTTP/1.1 only"] = NotGrpcServer.StartHttp11Async,
        ["HTTP/1.0 error page"] = () => Task.FromResult(NotGrpcServer.StartHttp10()),
    };

    private static readonly Dictionary<string, Func<ByteStreamClient, Task>> Operations = new()
    {
        ["QueryWriteStatusAsync"] = c => c.QueryWriteStatusAsync("main/uploads/u/blobs/abc/3"),
        ["UploadAsync"] = c => c.UploadAsync("main/uploads/u/blobs/abc/3", new byte[3]),
        ["UploadAsync(ResumeExistingUpload)"] = c => c.UploadAsync("main/uploads/u/blobs/abc/3", new MemoryStream(new byte[3]), new UploadOptions { ResumeExistingUpload = true }),
        ["ReadAllBytesAsync"] = c => c.ReadAllBytesAsync("main/blobs/abc/3"),
        ["OpenRead"] = async c =>
        {
            await using var stream = c.OpenRead("main/blobs/abc/3");
            await stream.CopyToAsync(Stream.Null);
        },
        ["OpenWrite"] = async c =>
        {
            await using var stream = c.OpenWrite("main/uploads/u/blobs/abc/3");
            await stream.WriteAsync(new byte[3]);
            await stream.CompleteAsync();
        },
    };

    private static IEnumerable<TestCaseData> Cases() =>
        from server in Servers.Keys
        from operation in Operations.Keys
        select new TestCaseData(server, operation).SetArgDisplayNames(server, operation);

    [TestCaseSource(nameof(Cases))]
    public async Task Operation_FailsAtOnceSayingTheServerDoesNotSpeakGrpc(string serverCase, string operation)
    {
        await using var server = await Servers[serverCase]();
        using var channel = GrpcChannel.ForAddress(server.Address);
        using var logs = new RecordingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { LoggerFactory = loggerFactory, MaxRetryAttempts = 5, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Operations[operation](client).DefaultTimeout());
        var retries = logs.Entries.Where(e => e.EventId.Id == RetryScheduledEvent).ToList();
        var handshakeRaces = retries.Count(e => e.Exception is RpcException { Status.DebugException: HttpRequestException race }
            && race.Message.Contains("did not complete the HTTP/2 handshake", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"The server at 127.0.0.1:{server.Address.Port} does not speak gRPC over HTTP/2"));
            Assert.That(error.Message, Does.Not.Contain('\n'));
            Assert.That(retries, Has.Count.EqualTo(handshakeRaces), "retried only after a connection closed before its answer was read");
            Assert.That(server.Connections, Is.GreaterThanOrEqualTo(1 + handshakeRaces), "each attempt reached the server");
        });
    }

    /// <summary>
    /// A peer that answers the connection at once with bytes that are no HTTP/2 and hangs up: .NET sees only that the
    /// HTTP/2 handshake did not complete (UNAVAILABLE or INTERNAL), which a TCP proxy without backends gives too, so it is
    /// retried; when the retries run out, or with none, the one clear sentence says what the peer is.
    /// </summary>
    [Test]
    public async Task FirstCall_PeerAnswersRandomBytesAndHangsUp_SaysTheServerDoesNotSpeakGrpc(
        [Values(0, 2)] int retries, [Values] bool atOnce, [Range(1, 3)] int seed, [Values("QueryWriteStatusAsync", "ReadAllBytesAsync")] string operation)
    {
        await using var server = NotGrpcServer.StartRandomBytes(seed, atOnce: atOnce);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { MaxRetryAttempts = retries, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Operations[operation](client).DefaultTimeout());

        Assert.That(error!.Message, Does.Contain($"The server at 127.0.0.1:{server.Address.Port} does not speak gRPC over HTTP/2"));
        Assert.That(error.Message, Does.Not.Contain('\n'));
    }
}
