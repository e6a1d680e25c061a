using System.Security.Cryptography.X509Certificates;
using Bytestream.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Security;

/// <summary>
/// Call credentials (on a TLS channel) and <see cref="UploadOptions.Headers"/>/<see cref="DownloadOptions.Headers"/>
/// reach the server on every call of a transfer: the first, every retry and resume, and QueryWriteStatus.
/// </summary>
[Category("Security")]
public class CallCredentialsTests
{
    private const int Chunk = 64 * 1024;
    private const string RequestMetadataKey = "build.bazel.remote.execution.v2.requestmetadata-bin";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private X509Certificate2 _certificate = null!;
    private ByteStreamTestServer _server = null!;
    private string _token = "";
    private int _credentialRequests;
    private GrpcChannel _channel = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificate = TestCertificates.CreateServerCertificate();
        _server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ServerCertificate = _certificate }).DefaultTimeout();
        var credentials = CallCredentials.FromInterceptor((_, metadata) =>
        {
            Interlocked.Increment(ref _credentialRequests);
            metadata.Add("authorization", _token);
            return Task.CompletedTask;
        });
        _channel = TestCertificates.CreateChannel(_server.Address, _certificate, ChannelCredentials.Create(new SslCredentials(), credentials));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _channel.Dispose();
        await _server.DisposeAsync().AsTask().DefaultTimeout();
        _certificate.Dispose();
    }

    [SetUp]
    public void Reset()
    {
        _server.Reset();
        _token = $"Bearer token-{Guid.NewGuid():N}";
        _credentialRequests = 0;
    }

    [Test]
    public async Task EveryUploadPath_ThroughRetriesAndResumes_EveryCallCarriesTheCredentialsAndHeaders()
    {
        var client = Client();
        var headers = Headers();
        var data = TestData.Random((12 * Chunk) + 3);
        foreach (var name in new[] { "cred/memory", "cred/stream", "cred/write-stream", "cred/resume" })
        {
            _server.Faults.FailNext(ByteStreamMethod.Write, StatusCode.Unavailable, resourceName: name);
            _server.Faults.CutWrite(afterBytes: 4 * Chunk, resourceName: name);
            _server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.Unavailable, resourceName: name);
        }

        await client.UploadAsync("cred/memory", data, new UploadOptions { Headers = headers }).WaitAsync(Bound);
        await client.UploadAsync("cred/stream", new ForwardOnlyReadStream(data), new UploadOptions { Headers = headers }).WaitAsync(Bound);
        await using (var stream = client.OpenWrite("cred/write-stream", new UploadOptions { Headers = headers }))
        {
            await stream.WriteAsync(data).AsTask().WaitAsync(Bound);
            await stream.CompleteAsync().WaitAsync(Bound);
        }

        await client.UploadAsync("cred/resume", new MemoryStream(data), new UploadOptions { Headers = headers, ResumeExistingUpload = true }).WaitAsync(Bound);

        var calls = _server.Calls;
        Assert.Multiple(() =>
        {
            Assert.That(calls.Count(c => c.Method == ByteStreamMethod.Write), Is.GreaterThanOrEqualTo(12), "a failed, a cut and a resumed Write per upload");
            Assert.That(calls.Count(c => c.Method == ByteStreamMethod.QueryWriteStatus), Is.GreaterThanOrEqualTo(8), "a failed and a good query per upload");
            AssertEveryCallCarries(calls, headers);
            Assert.That(_credentialRequests, Is.EqualTo(calls.Count), "the credentials were asked for once per call");
            foreach (var name in new[] { "cred/memory", "cred/stream", "cred/write-stream", "cred/resume" })
            {
                Assert.That(_server.TryGetResource(name, out var stored), Is.True, $"'{name}' is a complete resource");
                Assert.That(stored, Is.EqualTo(data), name);
            }
        });
    }

    [Test]
    public async Task EveryReadPath_ThroughRetriesAndResumes_EveryCallCarriesTheCredentialsAndHeaders()
    {
        var client = Client();
        var headers = Headers();
        var data = TestData.Random((12 * Chunk) + 3);
        _server.SetResource("cred/read", data);
        _server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable, times: 2);
        _server.Faults.CutRead(afterBytes: 5 * Chunk, times: 2);

        var downloaded = new MemoryStream();
        await client.DownloadAsync("cred/read", downloaded, new DownloadOptions { Headers = headers }).WaitAsync(Bound);
        var streamed = new MemoryStream();
        await using (var read = client.OpenRead("cred/read", new DownloadOptions { Headers = headers }))
        {
            await read.CopyToAsync(streamed).WaitAsync(Bound);
        }

        var calls = _server.Calls;
        Assert.Multiple(() =>
        {
            Assert.That(calls.Count(c => c.Method == ByteStreamMethod.Read), Is.EqualTo(6), "a failed, a cut and a resumed Read per path");
            AssertEveryCallCarries(calls, headers);
            Assert.That(TestData.Sha256(downloaded.ToArray()), Is.EqualTo(TestData.Sha256(data)));
            Assert.That(TestData.Sha256(streamed.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task CallsWithoutPerCallHeaders_StillCarryTheCallCredentialsOnEveryRetry()
    {
        var client = Client();
        var data = TestData.Random(3 * Chunk);
        _server.SetResource("cred/plain", data);
        _server.Faults.FailNext(ByteStreamMethod.Read, StatusCode.Unavailable);
        _server.Faults.FailNext(ByteStreamMethod.QueryWriteStatus, StatusCode.Unavailable);

        var bytes = await client.ReadAllBytesAsync("cred/plain").WaitAsync(Bound);
        var status = await client.QueryWriteStatusAsync("cred/plain").WaitAsync(Bound);

        Assert.Multiple(() =>
        {
            Assert.That(bytes, Is.EqualTo(data));
            Assert.That(status, Is.EqualTo(new WriteStatus(data.Length, true)));
            Assert.That(_server.Calls, Has.Count.EqualTo(4));
            Assert.That(_server.Calls.Select(c => c.RequestHeaders.GetValue("authorization")), Is.All.EqualTo(_token));
        });
    }

    private void AssertEveryCallCarries(IReadOnlyList<ByteStreamCallRecord> calls, Metadata headers)
    {
        foreach (var call in calls)
        {
            var where = $"call {call.CallId} ({call.Method}, {call.Status})";
            Assert.That(call.RequestHeaders.GetValue("authorization"), Is.EqualTo(_token), where);
            Assert.That(call.RequestHeaders.GetValue("x-request-id"), Is.EqualTo(headers.GetValue("x-request-id")), where);
            Assert.That(call.RequestHeaders.GetValueBytes(RequestMetadataKey), Is.EqualTo(headers.GetValueBytes(RequestMetadataKey)), where);
        }
    }

    private static Metadata Headers() => new()
    {
        { "x-request-id", $"request-{Guid.NewGuid():N}" },
        { RequestMetadataKey, TestData.Random(40, seed: 7) },
    };

    private ByteStreamClient Client() =>
        new(_channel, new ByteStreamClientOptions { ChunkSize = Chunk, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
}
