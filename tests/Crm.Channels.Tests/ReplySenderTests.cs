using Crm.Channels.Email;
using Crm.Channels.Tickets;
using Crm.Channels.WhatsApp;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Moq;

namespace Crm.Channels.Tests;

/// <summary>The channels' own rules for replies: WhatsApp's 24-hour window and the email reply subject.</summary>
public sealed class ReplySenderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1, null, true)]
    [InlineData(23.9, null, true)]
    [InlineData(24, null, false)]
    [InlineData(72, null, false)]
    [InlineData(72, "HXaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", true)]
    public void WhatsApp_free_text_is_allowed_only_within_24_hours_of_the_customers_last_message(double hoursSinceCustomer, string? contentSid, bool allowed)
    {
        var sender = new WhatsAppReplySender(Mock.Of<IWhatsAppSender>(), Mock.Of<IOptionsMonitor<WhatsAppOptions>>(), Mock.Of<LinkGenerator>(), attachmentLinks: null!);
        var lastInbound = Now.AddHours(-hoursSinceCustomer);
        var ticket = new TicketDetails(
            new Ticket(7, "whatsapp", TicketStatus.Open, "WhatsApp", 1, "key", lastInbound.AddHours(-1), lastInbound),
            new ContactSummary(1, null, "+447700900123", "Carla"),
            [
                new TicketMessage(1, 7, MessageDirection.Inbound, "whatsapp", "SM1", "Carla", "Hi", null, [], lastInbound),
                // An agent's own later message does not reopen the window: only the customer's does.
                new TicketMessage(2, 7, MessageDirection.Outbound, "whatsapp", "SM2", "agent", "Hello", null, [], lastInbound.AddMinutes(5)),
            ]);

        var refusal = sender.Refuse(ticket, contentSid is null ? null : new ReplyTemplate(contentSid, null), Now);

        Assert.Equal(allowed, refusal is null);
        if (!allowed)
        {
            Assert.Contains("24 hours", refusal, StringComparison.Ordinal);
            Assert.Contains("contentSid", refusal, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Order late", 12, "Re: Order late [#12]")]
    [InlineData("Re: Order late", 12, "Re: Order late [#12]")]
    [InlineData("RE: Re: Aw: Order late [#12]", 12, "Re: Order late [#12]")]
    [InlineData("Fwd: invoice", 3, "Re: invoice [#3]")]
    [InlineData(null, 4, "Re: Your request [#4]")]
    [InlineData("   ", 5, "Re: Your request [#5]")]
    public void Email_reply_subjects_carry_one_re_and_one_ticket_tag(string? subject, long ticketId, string expected) =>
        Assert.Equal(expected, EmailReplySender.ReplySubject(subject, ticketId));
}
