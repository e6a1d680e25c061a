using System.Security.Cryptography.X509Certificates;
using Bytestream.Testing;
using Grpc.Core;

namespace Bytestream.Client.Tests.Security;

/// <summary>
/// Transfers over TLS to Kestrel with a self-signed certificate made in the test: the client trusts exactly
/// that certificate (not "anything"), and a client that trusts something else gets a clear error.
/// </summary>
[Category("Security")]
public class TlsTests
{
    private const int Chunk = 64 * 1024;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private X509Certificate2 _certificate = null!;
    private ByteStreamTestServer _server = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificate = TestCertificates.CreateServerCertificate();
        _server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ServerCertificate = _certificate }).DefaultTimeout();
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _server.DisposeAsync().AsTask().DefaultTimeout();
        _certificate.Dispose();
    }

    [SetUp]
    public void Reset() => _server.Reset();

    [Test]
    public async Task UploadAndDownload_TrustingExactlyTheServersCertificate_RoundTripIdenticalBytesThroughFaults()
    {
        using var channel = TestCertificates.CreateChannel(_server.Address, _certificate);
        var client = Client(channel);
        var data = TestData.Random((20 * Chunk) + 17);
        _server.Faults.CutWrite(afterBytes: 5 * Chunk);
        _server.Faults.CutRead(afterBytes: 7 * Chunk);

        var upload = await client.UploadAsync("tls/blob", new ForwardOnlyReadStream(data)).WaitAsync(Bound);
        var download = new MemoryStream();
        await using (var read = client.OpenRead("tls/blob"))
        {
            await read.CopyToAsync(download).WaitAsync(Bound);
        }

        Assert.Multiple(() =>
        {
            Assert.That(_server.Address.Scheme, Is.EqualTo(Uri.UriSchemeHttps));
            Assert.That(upload.Resumes, Is.EqualTo(1));
            Assert.That(TestData.Sha256(download.ToArray()), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public void Upload_ClientValidatingTheDefaultWay_FailsWithTheHandshakeErrorAndStoresNothing()
    {
        using var channel = TestCertificates.CreateDefaultValidatingChannel(_server.Address);

        var error = Assert.ThrowsAsync<RpcException>(() => Client(channel).UploadAsync("tls/untrusted", TestData.Random(100)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            // grpc-dotnet reports a failed handshake as Internal ("Error starting gRPC call"), retried like any Internal.
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
            Assert.That(error.Status.Detail, Does.Contain("SSL connection could not be established"));
            Assert.That(_server.Calls, Is.Empty, "no call got past the handshake");
        });
    }

    [Test]
    public void Download_ClientTrustingAnotherSelfSignedCertificate_FailsWithTheHandshakeError()
    {
        using var other = TestCertificates.CreateServerCertificate("CN=bytestream-other");
        using var channel = TestCertificates.CreateChannel(_server.Address, other);
        _server.SetResource("tls/other", TestData.Random(100));

        var error = Assert.ThrowsAsync<RpcException>(() => Client(channel).ReadAllBytesAsync("tls/other").WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            Assert.That(error!.StatusCode, Is.EqualTo(StatusCode.Internal));
            Assert.That(error.Status.Detail, Does.Contain("SSL connection could not be established"));
            Assert.That(_server.Calls, Is.Empty);
        });
    }

    [Test]
    public void Upload_PlaintextHttp2ToTheTlsPort_FailsInBoundedTime()
    {
        var plaintext = new UriBuilder(_server.Address) { Scheme = Uri.UriSchemeHttp }.Uri;
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(plaintext);

        var error = Assert.ThrowsAsync<ByteStreamException>(() => Client(channel).UploadAsync("tls/plaintext", TestData.Random(100)).WaitAsync(Bound));

        Assert.Multiple(() =>
        {
            // The TLS port hangs up on the HTTP/2 preface: retried once, then named for what it is.
            Assert.That(error!.Message, Does.Contain($"The server at 127.0.0.1:{_server.Address.Port} does not speak gRPC over HTTP/2"));
            Assert.That(error.InnerException, Is.InstanceOf<RpcException>().With.Property(nameof(RpcException.StatusCode)).AnyOf(StatusCode.Unavailable, StatusCode.Internal));
            Assert.That(_server.Calls, Is.Empty);
        });
    }

    private static ByteStreamClient Client(Grpc.Net.Client.GrpcChannel channel) =>
        new(channel, new ByteStreamClientOptions { ChunkSize = Chunk, MaxRetryAttempts = 1, InitialBackoff = TimeSpan.Zero, MaxBackoff = TimeSpan.Zero });
}
