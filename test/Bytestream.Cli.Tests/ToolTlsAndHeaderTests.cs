using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bytestream.Testing;

namespace Bytestream.Cli.Tests;

/// <summary>TLS between the tool's own server and client, and the headers the client sends on every call.</summary>
public class ToolTlsAndHeaderTests
{
    private DirectoryInfo _work = null!;

    [SetUp]
    public void CreateDirectory() => _work = Directory.CreateTempSubdirectory("bytestream-cli-tls-");

    [TearDown]
    public void DeleteDirectory() => _work.Delete(recursive: true);

    [Test]
    public async Task ServeWithPemCertificate_UploadTrustingIt_Works_UploadNotTrustingIt_Fails()
    {
        var (certPath, keyPath) = WriteSelfSignedPem();
        var data = TestFiles.Random(500_000, seed: 7);
        var source = TestFiles.Write(_work.FullName, "tls.bin", data);
        using var server = await ServeProcess.StartAsync("--port", "0", "--cert", certPath, "--key", keyPath);

        var trusted = await Programs.RunAsync("bytestream", "upload", source, "tls/blob", "--address", server.Url, "--trust-cert", certPath);
        var back = await Programs.RunAsync("bytestream", "cat", "tls/blob", "--address", server.Url, "--trust-cert", certPath);
        var untrusted = await Programs.RunAsync("bytestream", "status", "tls/blob", "--address", server.Url, "--retries", "0");

        Assert.Multiple(() =>
        {
            Assert.That(server.Address.Scheme, Is.EqualTo("https"));
            Assert.That(trusted.ExitCode, Is.EqualTo(0), trusted.ToString());
            Assert.That(TestFiles.Sha256(back.StandardOutputBytes), Is.EqualTo(TestFiles.Sha256(data)));
            Assert.That(untrusted.ExitCode, Is.Not.EqualTo(0), untrusted.ToString());
            Assert.That(untrusted.ErrorLines, Has.Length.EqualTo(1), untrusted.ToString());
        });
    }

    [Test]
    public async Task HeaderAndToken_AreSentOnEveryCall()
    {
        await using var server = await ByteStreamTestServer.StartAsync().DefaultTimeout();
        server.Faults.CutWrite(100_000, times: 2);
        var source = TestFiles.Write(_work.FullName, "headers.bin", TestFiles.Random(400_000, seed: 8));

        var upload = await Programs.RunAsync(
            "bytestream", "upload", source, "headers/blob", "--address", server.Address.ToString(), "--chunk-size", "64K",
            "--header", "x-build-id=build-42", "-H", "x-tool=bytestream", "--token", "secret-token");

        var calls = server.Calls;
        Assert.Multiple(() =>
        {
            Assert.That(upload.ExitCode, Is.EqualTo(0), upload.ToString());
            Assert.That(calls, Has.Count.GreaterThanOrEqualTo(5), "three Write calls and the QueryWriteStatus calls between them");
            Assert.That(calls.Select(c => c.RequestHeaders.GetValue("x-build-id")), Has.All.EqualTo("build-42"));
            Assert.That(calls.Select(c => c.RequestHeaders.GetValue("x-tool")), Has.All.EqualTo("bytestream"));
            Assert.That(calls.Select(c => c.RequestHeaders.GetValue("authorization")), Has.All.EqualTo("Bearer secret-token"));
        });
    }

    private (string Certificate, string Key) WriteSelfSignedPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(_work.FullName, "server.crt");
        var keyPath = Path.Combine(_work.FullName, "server.key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath);
    }
}
