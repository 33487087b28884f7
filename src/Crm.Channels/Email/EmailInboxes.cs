using Crm.Mail;
using Fluid;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>Records that <c>AddEmailReplies</c> or <c>AddEmailInbox(name, ...)</c> configured an inbox.</summary>
/// <param name="Name">The inbox's name, as tickets store it.</param>
/// <param name="OptionsName">The name its <see cref="EmailReplyOptions"/> are registered under.</param>
/// <param name="OAuthConnectionName">Its SMTP connection's name for OAuth sign-in (admin, <c>/health</c>).</param>
internal sealed record EmailInboxRegistration(string Name, string OptionsName, string OAuthConnectionName);

/// <summary>One inbox, ready to send from: its settings read once, its signature parsed and its DKIM key loaded.</summary>
internal sealed class EmailInbox
{
    public EmailInbox(EmailInboxRegistration registration, EmailReplyOptions settings)
    {
        Name = registration.Name;
        OAuthConnectionName = registration.OAuthConnectionName;
        Settings = settings;
        From = MailboxAddress.Parse(settings.From);
        Dkim = settings.Dkim.CreateSigner();
        // Validated at start (EmailReplyOptions.Validate): a signature that does not parse never gets here.
        Signature = !string.IsNullOrWhiteSpace(settings.Signature) && MailSignature.TryParse(settings.Signature, out var signature, out _) ? signature : null;
    }

    public string Name { get; }

    public string OAuthConnectionName { get; }

    public EmailReplyOptions Settings { get; }

    public MailboxAddress From { get; }

    public string Address => From.Address;

    /// <summary>What customers and signatures call the inbox: the From's display name, or else its configured name.</summary>
    public string DisplayName => string.IsNullOrWhiteSpace(From.Name) ? Name : From.Name;

    public DkimMessageSigner? Dkim { get; }

    public IFluidTemplate? Signature { get; }

    /// <summary>Every address mail to this inbox arrives at, normalised.</summary>
    public IEnumerable<string> Addresses => Settings.ReceivingAddresses();
}

/// <summary>One inbox as agents and the admin see it.</summary>
/// <param name="Name">Its name (<c>POST /tickets/outbound</c>'s <c>inbox</c>, a ticket's <c>inbox</c>).</param>
/// <param name="Address">The address it answers from.</param>
/// <param name="DisplayName">What customers see it called.</param>
/// <param name="IsDefault">True for the inbox that answers tickets of no known inbox.</param>
/// <param name="Transport">Where its mail goes: <c>smtp://host:port</c>, or the pickup directory.</param>
/// <param name="OAuthConnection">The name of its SMTP server's OAuth connection (admin, <c>/health</c>), when it signs in with OAuth.</param>
public sealed record EmailInboxSummary(string Name, string Address, string DisplayName, bool IsDefault, string Transport, string? OAuthConnection);

/// <summary>The host's inboxes; the default one (<c>AddEmailReplies</c>, or else the first added) answers tickets of no known inbox.</summary>
public sealed class EmailInboxes
{
    private readonly List<EmailInbox> _all;

    internal EmailInboxes(IEnumerable<EmailInboxRegistration> registrations, IOptionsMonitor<EmailReplyOptions> options)
    {
        _all = [.. registrations
            .DistinctBy(r => r.Name, StringComparer.Ordinal)
            .OrderBy(r => r.Name == EmailReplyOptions.DefaultInbox ? 0 : 1)
            .Select(r => new EmailInbox(r, options.Get(r.OptionsName)))];
        if (_all.Count == 0)
        {
            throw new InvalidOperationException("Email replies need an inbox: call AddEmailReplies or AddEmailInbox.");
        }

        Addresses = _all.SelectMany(i => i.Addresses).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Summaries = [.. _all.Select(i => new EmailInboxSummary(
            i.Name,
            i.Address,
            i.DisplayName,
            i == _all[0],
            string.IsNullOrEmpty(i.Settings.SmtpHost) ? i.Settings.PickupDirectory : $"smtp://{i.Settings.SmtpHost}:{i.Settings.SmtpPort}",
            i.Settings.SmtpOAuth.IsEnabled ? i.OAuthConnectionName : null))];
    }

    /// <summary>Every inbox, the default one first.</summary>
    public IReadOnlyList<EmailInboxSummary> Summaries { get; }

    /// <summary>Every address of every inbox: never copied in on a reply.</summary>
    internal IReadOnlySet<string> Addresses { get; }

    internal IReadOnlyList<EmailInbox> All => _all;

    internal EmailInbox Default => _all[0];

    /// <summary>The inbox of this name, or null.</summary>
    internal EmailInbox? Find(string? name) => name is null ? null : _all.Find(i => i.Name == name);

    /// <summary>The inbox a ticket is answered from: its own, or the default one when it has none (or one no longer configured).</summary>
    internal EmailInbox For(string? name) => Find(name) ?? Default;
}
