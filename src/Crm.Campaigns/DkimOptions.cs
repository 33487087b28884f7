using Crm.Mail;

namespace Crm.Campaigns;

/// <summary>
/// DKIM signing of campaign mail and test sends (<c>Crm:Campaigns:Dkim</c>). Publish the public key as a TXT record at
/// <c>{Selector}._domainkey.{Domain}</c>. All unset: mail goes out unsigned.
/// </summary>
public sealed class DkimOptions
{
    /// <summary>The signing domain (<c>d=</c>): the sender's domain or its parent, so DMARC sees it aligned.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (<c>s=</c>), e.g. <c>crm2026</c>.</summary>
    public string? Selector { get; set; }

    /// <summary>A PEM file with the private key: RSA of at least 2048 bits (rsa-sha256) or Ed25519 (ed25519-sha256).</summary>
    public string? PrivateKeyPath { get; set; }

    internal string? Problem() => DkimMessageSigner.Problem(Domain, Selector, PrivateKeyPath);

    internal DkimMessageSigner? CreateSigner() => DkimMessageSigner.FromSettings(Domain, Selector, PrivateKeyPath);
}
