using Crm.Channels.Attachments;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Crm.Channels.Replies;
using Crm.Channels.Tickets;
using Crm.Mail.OAuth;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Crm.Campaigns.Rendering;
using MimeKit;

namespace Crm.Channels.Email;

/// <summary>
/// Answers email tickets as a person would: from the ticket's inbox (its From, signature and transport), with a minted
/// Message-ID stored before sending (so the customer's answer threads back), <c>In-Reply-To</c> the customer's last
/// message, <c>References</c> the chain, subject <c>Re: {subject} [#{ticket}]</c> (without <c>Re:</c> when an agent
/// starts the conversation), text and HTML parts, and no list or auto-reply headers.
/// </summary>
internal sealed class EmailReplySender(EmailInboxes inboxes, IAttachmentStore attachments, MailOAuthTokens tokens, TimeProvider time) : IChannelReplySender
{
    /// <summary>The name the default inbox's OAuth connection is known by (admin, <c>/health</c>).</summary>
    public const string OAuthConnectionName = "smtp:replies";

    /// <summary>Mail clients cut long References; the first id and the latest ones keep a thread together.</summary>
    private const int MaxReferences = 20;

    public string Channel => EmailReader.ChannelName;

    public string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now) =>
        template is not null ? "Email replies are free text; templates are for WhatsApp."
        : ticket.Contact?.Email is null ? $"Ticket {ticket.Ticket.Id} has no contact email address to answer."
        : null;

    /// <summary>Files travel as MIME parts of the reply.</summary>
    public string? RefuseAttachments(TicketDetails ticket, IReadOnlyList<AttachmentInfo> files) => null;

    public string NewMessageId(TicketDetails ticket) => NewMessageId(inboxes.For(ticket.Ticket.Inbox), ticket.Ticket.Id);

    /// <summary>A Message-ID in the inbox's domain; <paramref name="ticketId"/> is 0 for a ticket not created yet.</summary>
    internal static string NewMessageId(EmailInbox inbox, long ticketId) =>
        ticketId > 0 ? $"{Guid.NewGuid():N}.{ticketId}@{inbox.From.Domain}" : $"{Guid.NewGuid():N}@{inbox.From.Domain}";

    public async Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken)
    {
        var files = new List<(AttachmentInfo Info, Stream Content)>();
        try
        {
            foreach (var file in reply.Attachments)
            {
                var content = file.StorageKey is null ? null : await attachments.OpenReadAsync(file.StorageKey, cancellationToken).ConfigureAwait(false);
                files.Add((file, content ?? throw new ChannelReplyException($"The attachment '{file.FileName}' is no longer kept.", permanent: true)));
            }

            var inbox = inboxes.For(ticket.Ticket.Inbox);
            var signature = await SignatureAsync(inbox, reply).ConfigureAwait(false);
            await SendAsync(inbox, Compose(ticket, reply, inbox.From, signature, inboxes.Addresses, files), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (_, content) in files)
            {
                await content.DisposeAsync().ConfigureAwait(false);
            }
        }

        return new ReplyDelivery();
    }

    /// <summary>The inbox's signature for this reply's author, rendered in the template sandbox.</summary>
    private async Task<string?> SignatureAsync(EmailInbox inbox, TicketMessage reply)
    {
        if (inbox.Signature is null)
        {
            return null;
        }

        try
        {
            return await MailSignature.RenderAsync(inbox.Signature, reply.Author, inbox, time).ConfigureAwait(false);
        }
        catch (TemplateRenderException ex)
        {
            // The same template fails for every reply of this author: the agent sees why instead of hours of retries.
            throw new ChannelReplyException($"The signature of the inbox '{inbox.Name}' failed: {ex.Message}", permanent: true, ex);
        }
    }

    private async Task SendAsync(EmailInbox inbox, MimeMessage message, CancellationToken cancellationToken)
    {
        inbox.Dkim?.Sign(message);
        if (string.IsNullOrEmpty(inbox.Settings.SmtpHost))
        {
            await WriteToPickupAsync(message, inbox.Settings.PickupDirectory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await SendBySmtpAsync(message, inbox, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Builds the reply's MIME message.</summary>
    internal static MimeMessage Compose(TicketDetails ticket, TicketMessage reply, MailboxAddress from, string? signature, IReadOnlySet<string> ourAddresses, IReadOnlyList<(AttachmentInfo Info, Stream Content)>? files = null)
    {
        var to = ticket.Contact?.Email ?? throw new ChannelReplyException($"Ticket {ticket.Ticket.Id} has no contact email address to answer.", permanent: true);
        // An agent who starts the conversation writes a first mail, not an answer.
        var startsConversation = !ticket.Messages.Any(m => m.Direction == MessageDirection.Inbound);
        var message = new MimeMessage
        {
            MessageId = reply.ExternalMessageId,
            Date = reply.ReceivedAt,
            Subject = startsConversation ? FirstSubject(ticket.Ticket.Subject, ticket.Ticket.Id) : ReplySubject(ticket.Ticket.Subject, ticket.Ticket.Id),
        };
        message.From.Add(from);
        message.To.Add(new MailboxAddress(ticket.Contact.Name, to));
        // The people the customer copied in stay in the conversation; never the customer twice, never one of our inboxes
        // (its copy would come back in as mail from ourselves).
        foreach (var copied in ticket.Ticket.Cc.Where(a => !a.Equals(to, StringComparison.OrdinalIgnoreCase) && !a.Equals(from.Address, StringComparison.OrdinalIgnoreCase) && !ourAddresses.Contains(a)))
        {
            message.Cc.Add(new MailboxAddress(null, copied));
        }

        // Only ids that were real Message-ID headers: synthetic ones (mail that had none) would confuse the customer's client.
        var chain = ticket.Messages
            .Where(m => m.Channel == EmailReader.ChannelName && m.Id != reply.Id && m.Id < reply.Id && IsRealMessageId(m.ExternalMessageId))
            .ToList();
        if (chain.LastOrDefault(m => m.Direction == MessageDirection.Inbound) is { } customersLast)
        {
            message.InReplyTo = customersLast.ExternalMessageId;
        }

        var references = chain.Count <= MaxReferences ? chain : [chain[0], .. chain.TakeLast(MaxReferences - 1)];
        foreach (var reference in references)
        {
            message.References.Add(reference.ExternalMessageId);
        }

        var text = string.IsNullOrWhiteSpace(signature) ? reply.Text : $"{reply.Text}\n\n-- \n{signature}";
        var html = new StringBuilder("<div style=\"white-space:pre-wrap\">").Append(WebUtility.HtmlEncode(reply.Text)).Append("</div>");
        if (!string.IsNullOrWhiteSpace(signature))
        {
            html.Append("<div style=\"white-space:pre-wrap;color:#555\">-- <br>").Append(WebUtility.HtmlEncode(signature)).Append("</div>");
        }

        var body = new BodyBuilder { TextBody = text, HtmlBody = html.ToString() };
        foreach (var (info, content) in files ?? [])
        {
            body.Attachments.Add(info.FileName ?? "attachment", content, ContentType.TryParse(info.ContentType, out var type) ? type : new ContentType("application", "octet-stream"));
        }

        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary><c>{subject} [#{ticket}]</c>: the ticket's tag, so the answer threads back even when a client drops the headers.</summary>
    internal static string FirstSubject(string? subject, long ticketId)
    {
        var tag = $"[#{ticketId}]";
        var core = (subject ?? "").Replace(tag, "", StringComparison.Ordinal).Trim();
        return core.Length == 0 ? tag : $"{core} {tag}";
    }

    /// <summary><c>Re: {subject} [#{ticket}]</c>, without piling up <c>Re:</c> prefixes or ticket tags.</summary>
    internal static string ReplySubject(string? subject, long ticketId)
    {
        var core = (subject ?? "").Trim();
        while (true)
        {
            var stripped = StripPrefix(core);
            if (stripped.Length == core.Length)
            {
                break;
            }

            core = stripped;
        }

        var tag = $"[#{ticketId}]";
        core = core.Replace(tag, "", StringComparison.Ordinal).Trim();
        return core.Length == 0 ? $"Re: Your request {tag}" : $"Re: {core} {tag}";

        static string StripPrefix(string value)
        {
            foreach (var prefix in (string[])["Re:", "RE:", "re:", "Aw:", "AW:", "Fwd:", "FW:", "Fw:"])
            {
                if (value.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return value[prefix.Length..].TrimStart();
                }
            }

            return value;
        }
    }

    private static bool IsRealMessageId(string id) => !id.EndsWith("@crm.synthetic", StringComparison.Ordinal) && id.Contains('@', StringComparison.Ordinal);

    private async Task SendBySmtpAsync(MimeMessage message, EmailInbox inbox, CancellationToken cancellationToken)
    {
        var settings = inbox.Settings;
        using var smtp = new SmtpClient { Timeout = (int)settings.SmtpTimeout.TotalMilliseconds };
        try
        {
            await smtp.ConnectAsync(settings.SmtpHost!, settings.SmtpPort, SecureSocketOptions.Auto, cancellationToken).ConfigureAwait(false);
            if (settings.SmtpOAuth.IsEnabled)
            {
                await tokens.SignInAsync(inbox.OAuthConnectionName, settings.SmtpUserName!, smtp.AuthenticationMechanisms, canUseOAuthBearer: true, smtp.AuthenticateAsync, cancellationToken).ConfigureAwait(false);
            }
            else if (!string.IsNullOrEmpty(settings.SmtpUserName))
            {
                await smtp.AuthenticateAsync(settings.SmtpUserName, settings.SmtpPassword ?? "", cancellationToken).ConfigureAwait(false);
            }

            await smtp.SendAsync(message, cancellationToken).ConfigureAwait(false);
            await smtp.DisconnectAsync(quit: true, cancellationToken).ConfigureAwait(false);
        }
        catch (SmtpCommandException ex)
        {
            // A 5xx answer is the server's final word (unknown mailbox, policy); a 4xx asks to come back later.
            var permanent = (int)ex.StatusCode >= 500;
            throw new ChannelReplyException($"The SMTP server answered {(int)ex.StatusCode}: {ex.Message.Trim()}", permanent, ex);
        }
        catch (MailOAuthRefusedException ex)
        {
            // Kept and tried again with backoff: once the mailbox is reconnected, the reply goes out. Never a password.
            throw new ChannelReplyException(ex.Message, permanent: false, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ChannelReplyException("The OAuth token endpoint could not be reached: " + ex.Message, permanent: false, ex);
        }
        catch (AuthenticationException ex)
        {
            throw new ChannelReplyException("The SMTP server refused the credentials: " + ex.Message, permanent: false, ex);
        }
        catch (Exception ex) when (ex is SmtpProtocolException or SocketException or IOException or ServiceNotConnectedException or TimeoutException)
        {
            throw new ChannelReplyException("The SMTP server could not be reached: " + ex.Message, permanent: false, ex);
        }
    }

    private static async Task WriteToPickupAsync(MimeMessage message, string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        // Written under a temporary name and renamed: whoever watches the folder never sees half a message.
        var name = $"reply-{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}";
        var temporary = Path.Combine(directory, name + ".tmp");
        await message.WriteToAsync(temporary, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, Path.Combine(directory, name + ".eml"));
    }
}
