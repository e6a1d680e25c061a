using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bytestream.Client.Tests.Security;

/// <summary>Self-signed certificates made in the test, and channels that trust exactly one of them.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, with its private key, valid for a day.</summary>
    public static X509Certificate2 CreateServerCertificate(string subject = "CN=bytestream-test")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));

        // Kestrel on Linux needs a key it can use from another handle: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
    }

    /// <summary>
    /// A TLS channel to <paramref name="address"/> that trusts <paramref name="trusted"/> and nothing else (not even
    /// the machine's roots): the presented certificate must be byte for byte that one.
    /// </summary>
    public static GrpcChannel CreateChannel(Uri address, X509Certificate2 trusted, ChannelCredentials? credentials = null, Action<GrpcChannelOptions>? configure = null)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetRawCertData().AsSpan().SequenceEqual(trusted.RawData);
        var options = new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true };
        if (credentials is not null)
        {
            options.Credentials = credentials;
        }

        configure?.Invoke(options);
        return GrpcChannel.ForAddress(address, options);
    }

    /// <summary>A TLS channel that validates the server the default way (the machine's roots, host name).</summary>
    public static GrpcChannel CreateDefaultValidatingChannel(Uri address) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler(), DisposeHttpClient = true });
}
