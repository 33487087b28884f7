using System.Globalization;
using Crm.Channels.Attachments;
using Crm.Channels.Replies;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Crm.Channels.WhatsApp;

/// <summary>
/// Answers WhatsApp tickets through <see cref="IWhatsAppSender"/>, to the ticket contact's phone: free text only within
/// WhatsApp's 24-hour customer-service window, a Content template at any time. When the account has a
/// <see cref="WhatsAppOptions.PublicBaseUrl"/>, Twilio reports delivery to the intake URL, which moves the reply's status.
/// </summary>
internal sealed class WhatsAppReplySender(IWhatsAppSender sender, IOptionsMonitor<WhatsAppOptions> options, LinkGenerator links, AttachmentLinks attachmentLinks) : IChannelReplySender
{
    public string Channel => WhatsAppAdapter.ChannelName;

    /// <summary>WhatsApp carries one file per message, fetched by Twilio from a signed link on <see cref="WhatsAppOptions.PublicBaseUrl"/>.</summary>
    public string? RefuseAttachments(TicketDetails ticket, IReadOnlyList<AttachmentInfo> files) =>
        files.Count > 1 ? "WhatsApp carries one file per message: send the files one reply at a time."
        : files.Count == 1 && string.IsNullOrEmpty(options.Get(Options.DefaultName).PublicBaseUrl) ? "Files on WhatsApp need Crm:WhatsApp:PublicBaseUrl, the address Twilio fetches them from."
        : null;

    public string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now)
    {
        if (ticket.Contact?.Phone is null)
        {
            return $"Ticket {ticket.Ticket.Id} has no contact phone to answer.";
        }

        if (template is not null)
        {
            return null;
        }

        var lastInbound = WhatsAppWindow.OpenedAt(ticket);
        if (WhatsAppWindow.Left(ticket, now) <= TimeSpan.Zero)
        {
            var since = lastInbound is null ? "has never written" : "last wrote at " + lastInbound.Value.ToString("u", CultureInfo.InvariantCulture);
            return $"WhatsApp allows free text only within 24 hours of the customer's last message, and the customer {since}. Send an approved template instead (contentSid and contentVariables).";
        }

        return null;
    }

    public async Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken)
    {
        var phone = ticket.Contact?.Phone ?? throw new ChannelReplyException($"Ticket {ticket.Ticket.Id} has no contact phone to answer.", permanent: true);
        var media = new List<Uri>();
        if (reply.Attachments.Count > 0)
        {
            await attachmentLinks.EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
            var baseUrl = options.Get(Options.DefaultName).PublicBaseUrl?.TrimEnd('/')
                ?? throw new ChannelReplyException("Files on WhatsApp need Crm:WhatsApp:PublicBaseUrl.", permanent: true);
            foreach (var file in reply.Attachments)
            {
                var path = file.StorageKey is null ? null : attachmentLinks.PathFor(null, ticket.Ticket.Id, file.StorageKey);
                media.Add(new Uri(baseUrl + (path ?? throw new ChannelReplyException($"The attachment '{file.FileName}' is not kept.", permanent: true))));
            }
        }

        var message = new WhatsAppOutboundMessage(phone, reply.Text, media.Count == 0 ? null : media)
        {
            ContentSid = reply.Template?.Id,
            ContentVariables = reply.Template?.Variables,
            StatusCallback = StatusCallback(),
        };
        try
        {
            var result = await sender.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return new ReplyDelivery(result.MessageSid);
        }
        catch (TwilioApiException ex)
        {
            // Twilio's 4xx answers (a bad number, a closed window, an unknown template) will not change on retry; 429 and 5xx may.
            var permanent = ex.StatusCode is >= 400 and < 500 and not 429;
            throw new ChannelReplyException(ex.Message, permanent, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ChannelReplyException("Twilio could not be reached: " + ex.Message, permanent: false, ex);
        }
    }

    private Uri? StatusCallback()
    {
        var baseUrl = options.Get(Options.DefaultName).PublicBaseUrl;
        var path = links.GetPathByName("CrmTicketIntake", new RouteValueDictionary { ["channel"] = WhatsAppAdapter.ChannelName });
        return string.IsNullOrEmpty(baseUrl) || path is null ? null : new Uri(baseUrl.TrimEnd('/') + path);
    }
}
