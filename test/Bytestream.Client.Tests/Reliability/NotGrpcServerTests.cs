using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Reliability;

/// <summary>
/// An address that answers HTTP/1.x (a web server, <c>python3 -m http.server</c>) used to give INTERNAL, five
/// retries, then a raw HTTP/2 PROTOCOL_ERROR. Now every operation fails at once with one clear sentence.
/// </summary>
[Category("Reliability")]
public class NotGrpcServerTests
{
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
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { MaxRetryAttempts = 5, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Operations[operation](client).DefaultTimeout());

        Assert.Multiple(() =>
        {
            Assert.That(error!.Message, Does.Contain($"The server at 127.0.0.1:{server.Address.Port} does not speak gRPC over HTTP/2"));
            Assert.That(error.Message, Does.Not.Contain('\n'));
            Assert.That(server.Connections, Is.EqualTo(1), "not retried");
        });
    }
}
