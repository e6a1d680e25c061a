using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Bytestream.Cli;

/// <summary>Certificate files: the one <c>serve --cert</c> presents, and the one a client trusts with <c>--trust-cert</c>.</summary>
internal static class Certificates
{
    /// <summary>Loads a server certificate with its key: PKCS#12 (.pfx/.p12), or PEM with the key in <paramref name="keyPath"/> or the same file.</summary>
    /// <exception cref="UsageException">The files cannot be read as a certificate with a private key.</exception>
    public static X509Certificate2 LoadServerCertificate(string path, string? keyPath, string? password)
    {
        try
        {
            var extension = Path.GetExtension(path).ToUpperInvariant();
            if (extension is ".PFX" or ".P12")
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }

            using var pem = X509Certificate2.CreateFromPemFile(path, keyPath ?? path);

            // Through PKCS#12 so the key is usable for TLS on every platform (Windows refuses ephemeral PEM keys).
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot load the certificate '{path}'{(keyPath is null ? string.Empty : $" with key '{keyPath}'")}: {exception.Message}", exception);
        }
    }

    /// <summary>Loads a certificate (PEM or DER) that a client trusts as the server's own or as its issuer.</summary>
    /// <exception cref="UsageException">The file cannot be read as a certificate.</exception>
    public static X509Certificate2 LoadTrusted(string path)
    {
        try
        {
            return X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot load the certificate '{path}': {exception.Message}", exception);
        }
    }

    /// <summary>
    /// Accepts what the system trusts, the trusted certificate itself (whatever name it carries: self-signed
    /// test certificates rarely name 127.0.0.1), or a certificate issued by it for the right name.
    /// </summary>
    public static RemoteCertificateValidationCallback Trusting(X509Certificate2 trusted) => (_, presented, _, errors) =>
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (presented is null)
        {
            return false;
        }

        using var leaf = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        if (leaf.RawDataMemory.Span.SequenceEqual(trusted.RawDataMemory.Span))
        {
            return true;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && chain.Build(leaf);
    };
}
