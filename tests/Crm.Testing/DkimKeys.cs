using System.Diagnostics;
using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Crm.Testing;

/// <summary>A DKIM key pair made for one test, written as PEM, and two independent verifiers of what it signed.</summary>
public sealed class DkimKeys : IDisposable
{
    private readonly AsymmetricKeyParameter _public;

    private DkimKeys(string directory, AsymmetricKeyParameter publicKey, string keyType)
    {
        Directory = directory;
        _public = publicKey;
        KeyType = keyType;
    }

    public string Directory { get; }

    public string PrivateKeyPath => Path.Combine(Directory, "dkim.pem");

    /// <summary><c>rsa</c> or <c>ed25519</c>: the <c>k=</c> of the DNS record.</summary>
    public string KeyType { get; }

    /// <summary>The DNS TXT record a domain would publish at <c>{selector}._domainkey.{domain}</c>.</summary>
    public string DnsRecord => KeyType == "rsa"
        ? $"v=DKIM1; k=rsa; p={Convert.ToBase64String(SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(_public).GetDerEncoded())}"
        : $"v=DKIM1; k=ed25519; p={Convert.ToBase64String(((Ed25519PublicKeyParameters)_public).GetEncoded())}";

    public static DkimKeys CreateRsa(int bits = 2048)
    {
        using var rsa = RSA.Create(bits);
        var directory = System.IO.Directory.CreateTempSubdirectory("crm-dkim-").FullName;
        File.WriteAllText(Path.Combine(directory, "dkim.pem"), rsa.ExportRSAPrivateKeyPem());
        var publicKey = PublicKeyFactory.CreateKey(rsa.ExportSubjectPublicKeyInfo());
        return new DkimKeys(directory, publicKey, "rsa");
    }

    public static DkimKeys CreateEd25519()
    {
        var generator = new Ed25519KeyPairGenerator();
        generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var directory = System.IO.Directory.CreateTempSubdirectory("crm-dkim-").FullName;
        using (var writer = new StreamWriter(Path.Combine(directory, "dkim.pem")))
        {
            new PemWriter(writer).WriteObject(new Org.BouncyCastle.Utilities.IO.Pem.PemObject("PRIVATE KEY", Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(pair.Private).GetDerEncoded()));
        }

        return new DkimKeys(directory, pair.Public, "ed25519");
    }

    /// <summary>MimeKit's verifier, with this key standing in for DNS.</summary>
    public async Task<bool> VerifyWithMimeKitAsync(MimeMessage message)
    {
        var header = message.Headers.First(h => h.Id == HeaderId.DkimSignature);
        var verifier = new DkimVerifier(new KeyLocator(_public));
        verifier.Enable(DkimSignatureAlgorithm.Ed25519Sha256);
        return await verifier.VerifyAsync(message, header);
    }

    /// <summary>
    /// dkimpy (Debian's python3-dkim), a second implementation, answering the DNS query with <see cref="DnsRecord"/>.
    /// Returns its verdict and what it printed.
    /// </summary>
    public async Task<(bool Valid, string Output)> VerifyWithDkimpyAsync(string rawMessagePath, string? dnsRecord = null)
    {
        const string script = """
            import sys, dkim
            record = sys.argv[2].encode()
            raw = open(sys.argv[1], "rb").read()
            # smtp-sink's dump starts with its own X- headers and uses LF: restore the message as sent.
            lines = raw.replace(b"\r\n", b"\n").split(b"\n")
            while lines and (lines[0].startswith(b"X-Client-") or lines[0].startswith(b"X-Helo-") or lines[0].startswith(b"X-Mail-") or lines[0].startswith(b"X-Rcpt-")):
                lines.pop(0)
            message = b"\r\n".join(lines)
            ok = dkim.verify(message, dnsfunc=lambda name, timeout=5: record)
            print("valid" if ok else "invalid")
            sys.exit(0 if ok else 1)
            """;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(rawMessagePath);
        start.ArgumentList.Add(dnsRecord ?? DnsRecord);
        await using var process = OwnedProcess.Start(start);
        var output = await process.Process.StandardOutput.ReadToEndAsync() + await process.Process.StandardError.ReadToEndAsync();
        await process.Process.WaitForExitAsync();
        return (process.Process.ExitCode == 0, output.Trim());
    }

    public void Dispose() => HostProcess.TryDeleteDirectory(Directory);

    private sealed class KeyLocator(AsymmetricKeyParameter key) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) => key;

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default) => Task.FromResult(key);
    }
}
