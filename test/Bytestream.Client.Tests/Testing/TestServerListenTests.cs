using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bytestream.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Testing;

/// <summary>Where the test server listens: <see cref="ByteStreamTestServerOptions.ListenAddress"/>, <see cref="ByteStreamTestServerOptions.Port"/> and TLS.</summary>
public class TestServerListenTests
{
    [Test]
    public async Task Port_Given_TheServerListensOnIt()
    {
        var port = FreePort();

        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { Port = port }).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("x", TestData.Random(100));
        var data = await new ByteStreamClient(channel).ReadAllBytesAsync("x").DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(server.Address, Is.EqualTo(new Uri($"http://127.0.0.1:{port}")));
            Assert.That(data, Is.EqualTo(TestData.Random(100)));
        });
    }

    [Test]
    public async Task ListenAddress_Any_AddressNamesLoopback()
    {
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ListenAddress = IPAddress.Any }).DefaultTimeout();
        using var channel = server.CreateChannel();
        server.SetResource("x", TestData.Random(10));

        var data = await new ByteStreamClient(channel).ReadAllBytesAsync("x").DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(server.Address.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(data, Is.EqualTo(TestData.Random(10)));
        });
    }

    [Test]
    public void Port_OutOfRange_Throws()
    {
        var options = new ByteStreamTestServerOptions();

        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => options.Port = -1);
            Assert.Throws<ArgumentOutOfRangeException>(() => options.Port = 65536);
            Assert.Throws<ArgumentNullException>(() => options.ListenAddress = null!);
        });
    }

    [Test]
    public async Task ServerCertificate_UploadAndDownloadOverTls_CreateChannelTrustsIt()
    {
        using var certificate = SelfSigned();
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ServerCertificate = certificate }).DefaultTimeout();
        using var channel = server.CreateChannel();
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { ChunkSize = 64 * 1024 });
        var data = TestData.Random(1_000_000);

        var result = await client.UploadAsync("tls/blob", data).DefaultTimeout();
        var back = await client.ReadAllBytesAsync("tls/blob").DefaultTimeout();

        Assert.Multiple(() =>
        {
            Assert.That(server.Address.Scheme, Is.EqualTo("https"));
            Assert.That(result.CommittedSize, Is.EqualTo(data.Length));
            Assert.That(TestData.Sha256(back), Is.EqualTo(TestData.Sha256(data)));
        });
    }

    [Test]
    public async Task ServerCertificate_ClientThatDoesNotTrustIt_IsRefused()
    {
        using var certificate = SelfSigned();
        await using var server = await ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ServerCertificate = certificate }).DefaultTimeout();
        using var channel = GrpcChannel.ForAddress(server.Address);
        var client = new ByteStreamClient(channel, new ByteStreamClientOptions { MaxRetryAttempts = 0 });

        var exception = Assert.ThrowsAsync<RpcException>(() => client.QueryWriteStatusAsync("tls/blob").DefaultTimeout());

        var causes = new List<Exception>();
        for (Exception? cause = exception!.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            causes.Add(cause);
        }

        Assert.Multiple(() =>
        {
            Assert.That(exception.StatusCode, Is.Not.EqualTo(StatusCode.OK));
            Assert.That(causes, Has.Some.InstanceOf<System.Security.Authentication.AuthenticationException>(), "the TLS handshake fails: the certificate is not trusted");
        });
    }

    [Test]
    public void ServerCertificate_WithoutPrivateKey_StartThrows()
    {
        using var certificate = SelfSigned();
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.RawData);

        Assert.ThrowsAsync<ArgumentException>(() => ByteStreamTestServer.StartAsync(new ByteStreamTestServerOptions { ServerCertificate = publicOnly }));
    }

    /// <summary>A self-signed certificate for "localhost" (not 127.0.0.1, so only CreateChannel's own trust lets a client in).</summary>
    internal static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Through PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pfx), password: null);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
