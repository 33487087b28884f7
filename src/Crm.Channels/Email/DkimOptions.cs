using Crm.Mail;

namespace Crm.Channels.Email;

/// <summary>
/// DKIM signing of agents' email replies. Publish the public key as a TXT record at <c>{Selector}._domainkey.{Domain}</c>.
/// All unset: replies go out unsigned.
/// </summary>
public sealed class DkimOptions
{
    /// <summary>The signing domain (<c>d=</c>): the reply mailbox's domain or its parent.</summary>
    public string? Domain { get; set; }

    /// <summary>The selector (<c>s=</c>).</summary>
    public string? Selector { get; set; }

    /// <summary>A PEM file with the private key: RSA of at least 2048 bits or Ed25519.</summary>
    public string? PrivateKeyPath { get; set; }

    internal string? Problem() => DkimMessageSigner.Problem(Domain, Selector, PrivateKeyPath);

    internal DkimMessageSigner? CreateSigner() => DkimMessageSigner.FromSettings(Domain, Selector, PrivateKeyPath);
}
