using System.Security.Cryptography;
using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;

namespace Crm.Mail;

/// <summary>
/// DKIM-signs outgoing mail (RFC 6376; Ed25519 per RFC 8463): relaxed/relaxed, over the headers mailbox providers
/// expect, with the body prepared for 7-bit transport first so no relay re-encodes it and breaks the signature.
/// Shared by the campaign sender and the email reply sender: one key, one set of signed headers.
/// </summary>
internal sealed class DkimMessageSigner
{
    /// <summary>The headers signed when present: the ones a reader sees, threading, the list headers and the MIME structure.</summary>
    public static readonly IReadOnlyList<string> SignedHeaders =
    [
        "From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
        "List-Id", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
    ];

    private readonly DkimSigner _signer;

    private DkimMessageSigner(DkimSigner signer, string algorithm)
    {
        _signer = signer;
        Algorithm = algorithm;
    }

    /// <summary>The <c>a=</c> tag: <c>rsa-sha256</c> or <c>ed25519-sha256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The signing domain (<c>d=</c>).</summary>
    public string Domain => _signer.Domain;

    /// <summary>
    /// The signer the three settings describe: null when none is set (signing off), else loaded and checked.
    /// </summary>
    /// <exception cref="InvalidOperationException">Only some are set, or the key is unusable; the message says which.</exception>
    public static DkimMessageSigner? FromSettings(string? domain, string? selector, string? privateKeyPath)
    {
        if (string.IsNullOrEmpty(domain) && string.IsNullOrEmpty(selector) && string.IsNullOrEmpty(privateKeyPath))
        {
            return null;
        }

        if (string.IsNullOrEmpty(domain) || string.IsNullOrEmpty(selector) || string.IsNullOrEmpty(privateKeyPath))
        {
            throw new InvalidOperationException("DKIM needs all of Domain, Selector and PrivateKeyPath (or none, to send unsigned).");
        }

        return Load(domain, selector, privateKeyPath);
    }

    /// <summary>Why the settings cannot sign, or null when they can (or are all unset).</summary>
    public static string? Problem(string? domain, string? selector, string? privateKeyPath)
    {
        try
        {
            _ = FromSettings(domain, selector, privateKeyPath);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>Loads a PEM private key (RSA of at least 2048 bits, or Ed25519) and checks it.</summary>
    /// <exception cref="InvalidOperationException">The key is missing, unreadable, too weak, or of another kind; the message says which.</exception>
    public static DkimMessageSigner Load(string domain, string selector, string privateKeyPath)
    {
        if (!File.Exists(privateKeyPath))
        {
            throw new InvalidOperationException($"The DKIM private key '{privateKeyPath}' does not exist.");
        }

        object? pem;
        try
        {
            using var reader = new StreamReader(privateKeyPath);
            pem = new PemReader(reader).ReadObject();
        }
        catch (Exception ex) when (ex is IOException or PemException or InvalidCastException or ArgumentException)
        {
            throw new InvalidOperationException($"The DKIM private key '{privateKeyPath}' is not a PEM private key: {ex.Message}", ex);
        }

        var key = pem switch
        {
            AsymmetricCipherKeyPair pair => pair.Private,
            AsymmetricKeyParameter { IsPrivate: true } single => single,
            _ => throw new InvalidOperationException($"The DKIM private key '{privateKeyPath}' holds no private key."),
        };

        var (algorithm, name) = key switch
        {
            RsaKeyParameters rsa when rsa.Modulus.BitLength < 2048 =>
                throw new InvalidOperationException($"The DKIM key '{privateKeyPath}' is RSA with {rsa.Modulus.BitLength} bits; receivers ignore keys under 2048 bits."),
            RsaKeyParameters => (DkimSignatureAlgorithm.RsaSha256, "rsa-sha256"),
            Ed25519PrivateKeyParameters => (DkimSignatureAlgorithm.Ed25519Sha256, "ed25519-sha256"),
            _ => throw new InvalidOperationException($"The DKIM key '{privateKeyPath}' is a {key.GetType().Name}; use RSA (2048 bits or more) or Ed25519."),
        };

        var signer = key is RsaPrivateCrtKeyParameters rsaKey
            ? new NativeRsaDkimSigner(rsaKey, domain, selector)
            : new DkimSigner(key, domain, selector, algorithm);
        signer.HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed;
        signer.BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed;
        return new DkimMessageSigner(signer, name);
    }

    /// <summary>Adds a <c>DKIM-Signature</c> header; call it last, once every other header is set.</summary>
    public void Sign(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.Prepare(EncodingConstraint.SevenBit);
        // The MIME headers (Content-Type, …) live on the body entity, yet are written as the message's own.
        var present = SignedHeaders.Where(h => message.Headers.Contains(h) || message.Body?.Headers.Contains(h) == true).ToList();
        _signer.Sign(message, present);
    }

    /// <summary>
    /// RSA signing through the platform's crypto (OpenSSL on Linux) instead of BouncyCastle's managed RSA, which took
    /// about 4 ms per message (measured in DkimBenchmarks): MimeKit still canonicalises and hashes, only the final
    /// PKCS#1 signature is computed natively.
    /// </summary>
    private sealed class NativeRsaDkimSigner : DkimSigner
    {
        private readonly ThreadLocal<RSA> _rsa;

        public NativeRsaDkimSigner(RsaPrivateCrtKeyParameters key, string domain, string selector)
            : base(key, domain, selector, DkimSignatureAlgorithm.RsaSha256)
        {
            var parameters = DotNetUtilities.ToRSAParameters(key);
            // One RSA object per thread: the platform object is not documented as safe for concurrent signing.
            _rsa = new ThreadLocal<RSA>(() =>
            {
                var rsa = RSA.Create();
                rsa.ImportParameters(parameters);
                return rsa;
            });
        }

        protected override ISigner CreateSigningContext() => new Sha256RsaSigner(_rsa.Value!);
    }

    /// <summary>A BouncyCastle <see cref="ISigner"/> over .NET: SHA-256 as the data arrives, then RSA PKCS#1 v1.5.</summary>
    private sealed class Sha256RsaSigner(RSA rsa) : ISigner
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string AlgorithmName => "SHA-256withRSA";

        public void Init(bool forSigning, ICipherParameters parameters)
        {
        }

        public void Update(byte input) => _hash.AppendData([input]);

        public void BlockUpdate(byte[] input, int inOff, int inLen) => _hash.AppendData(input, inOff, inLen);

        public void BlockUpdate(ReadOnlySpan<byte> input) => _hash.AppendData(input);

        public int GetMaxSignatureSize() => rsa.KeySize / 8;

        public byte[] GenerateSignature() => rsa.SignHash(_hash.GetHashAndReset(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        public bool VerifySignature(byte[] signature) => throw new NotSupportedException("This context only signs.");

        public void Reset() => _hash.GetHashAndReset();
    }
}
