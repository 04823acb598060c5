using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace BoMrl.Cluster;

/// <summary>
/// Mutual TLS for every connection of a cluster (docs/distributed.md §5): each worker and the learner present the
/// cluster's one certificate, and accept a peer only if it presents the same one (pinned by its SHA-256 hash, so a
/// self-signed certificate needs no certificate authority). Orleans' transport security (Microsoft.Orleans.Connections.Security).
/// </summary>
public sealed class ClusterTls
{
    private readonly byte[] _pin;

    private ClusterTls(X509Certificate2 certificate)
    {
        Certificate = certificate;
        _pin = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>The certificate (with its private key) this process presents.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Loads a PKCS#12 file (.pfx/.p12) holding the certificate and its private key; <paramref name="password"/> may be
    /// null. Throws <see cref="FormatException"/> with one line naming the file when it cannot be used.
    /// </summary>
    public static ClusterTls Load(string path, string? password)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new FormatException($"no TLS certificate file {path}");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read the TLS certificate {path}: {e.Message.ReplaceLineEndings(" ").Trim()} " +
                "(a PKCS#12 .pfx with its private key; the password comes from BOMRL_TLS_PASSWORD)", e);
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new FormatException($"the TLS certificate {path} has no private key; export it with the key (PKCS#12)");
        }

        return new ClusterTls(certificate);
    }

    /// <summary>Both ends must present a certificate, and it must be the cluster's.</summary>
    internal void Configure(TlsOptions options)
    {
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (certificate, _, _) =>
            certificate is not null && certificate.GetCertHash(HashAlgorithmName.SHA256).AsSpan().SequenceEqual(_pin);
    }
}

/// <summary>Adds <see cref="ClusterTls"/> to a silo or client builder when one is given.</summary>
internal static class ClusterTlsExtensions
{
    public static ISiloBuilder UseClusterTls(this ISiloBuilder builder, ClusterTls? tls) =>
        tls is null ? builder : builder.UseTls(tls.Certificate, tls.Configure);

    public static IClientBuilder UseClusterTls(this IClientBuilder builder, ClusterTls? tls) =>
        tls is null ? builder : builder.UseTls(tls.Certificate, tls.Configure);
}
