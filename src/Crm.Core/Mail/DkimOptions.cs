namespace Crm.Mail;

/// <summary>
/// DKIM signing of outgoing mail: campaign mail and test sends (<c>Crm:Campaigns:Dkim</c>) and agents' email replies
/// (<c>Crm:Email:Replies:Dkim</c>), each with its own settings. Publish the public key as a TXT record at
/// <c>{Selector}._domainkey.{Domain}</c>. All unset: mail goes out unsigned.
/// </summary>
public sealed class DkimOptions
{
    /// <summary>The signing domain (<c>d=</c>): the sender's (or reply mailbox's) domain or its parent, so DMARC sees it aligned.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (<c>s=</c>), e.g. <c>crm2026</c>.</summary>
    public string? Selector { get; set; }

    /// <summary>A PEM file with the private key: RSA of at least 2048 bits (rsa-sha256) or Ed25519 (ed25519-sha256).</summary>
    public string? PrivateKeyPath { get; set; }

    internal string? Problem() => DkimMessageSigner.Problem(Domain, Selector, PrivateKeyPath);

    internal DkimMessageSigner? CreateSigner() => DkimMessageSigner.FromSettings(Domain, Selector, PrivateKeyPath);
}
