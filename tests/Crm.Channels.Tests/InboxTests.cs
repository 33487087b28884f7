using System.Text;
using Crm.Campaigns.Rendering;
using Crm.Channels.Email;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Tests;

/// <summary>Inboxes as the package configures them: which inbox a mail came to, their signatures, names and the default.</summary>
public sealed class InboxTests
{
    [Theory]
    [InlineData("To: support@shop.example\r\n", "default")]
    [InlineData("To: Invoices <INVOICES@Shop.Example>\r\n", "billing")]
    [InlineData("To: billing@shop.example, support@shop.example\r\n", "billing")]
    [InlineData("To: team@lists.customer.example\r\nCc: billing@shop.example\r\n", "billing")]
    // The receiving server's envelope before the headers the sender wrote.
    [InlineData("Delivered-To: billing@shop.example\r\nTo: support@shop.example\r\n", "billing")]
    [InlineData("X-Original-To: <invoices@shop.example>\r\nTo: support@shop.example\r\n", "billing")]
    [InlineData("To: someone@elsewhere.example\r\n", null)]
    public void A_mail_belongs_to_the_inbox_of_the_first_of_our_addresses_it_was_delivered_to(string recipients, string? inbox)
    {
        using var services = Inboxes(billingFirst: false);
        var options = services.GetRequiredService<IOptions<EmailOptions>>().Value;

        var read = EmailReader.Read(Encoding.ASCII.GetBytes($"From: Bea <bea@customer.example>\r\n{recipients}Subject: Hi\r\nMessage-ID: <{Guid.NewGuid():N}@customer.example>\r\n\r\nHello\r\n"), options);

        Assert.Equal(inbox, read.Message!.Inbox);
        // Our own addresses are never kept as the customer's Cc.
        Assert.DoesNotContain(read.Message.Cc, a => a.EndsWith("@shop.example", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_inbox_address_is_one_of_ours_and_mail_from_it_is_no_ticket()
    {
        using var services = Inboxes(billingFirst: false);
        var options = services.GetRequiredService<IOptions<EmailOptions>>().Value;

        Assert.Equal(["billing@shop.example", "invoices@shop.example", "support@shop.example"], options.OwnAddresses.Order(StringComparer.Ordinal));
        var fromUs = EmailReader.Read(Encoding.ASCII.GetBytes("From: Billing <Invoices@shop.example>\r\nTo: bea@customer.example\r\nSubject: Hi\r\nMessage-ID: <a@shop.example>\r\n\r\nHello\r\n"), options);
        Assert.Equal(EmailKind.AutoReply, fromUs.Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_default_inbox_is_AddEmailReplies_whatever_the_order_and_answers_tickets_of_unknown_inboxes(bool billingFirst)
    {
        using var services = Inboxes(billingFirst);
        var inboxes = services.GetRequiredService<EmailInboxes>();

        Assert.Equal(EmailReplyOptions.DefaultInbox, inboxes.Default.Name);
        Assert.Equal("billing", inboxes.For("billing").Name);
        Assert.Equal(EmailReplyOptions.DefaultInbox, inboxes.For(null).Name);
        Assert.Equal(EmailReplyOptions.DefaultInbox, inboxes.For("removed-since").Name);
        Assert.Equal("Billing", inboxes.For("billing").DisplayName);
    }

    [Fact]
    public void Without_AddEmailReplies_the_first_inbox_added_is_the_default()
    {
        using var services = new ServiceCollection().AddLogging().AddCrmChannels()
            .AddEmailInbox("sales", o => o.From = "sales@shop.example")
            .AddEmailInbox("billing", o => o.From = "billing@shop.example")
            .Services.BuildServiceProvider();

        var inboxes = services.GetRequiredService<EmailInboxes>();

        Assert.Equal("sales", inboxes.Default.Name);
        // No display name: the inbox is called by its name.
        Assert.Equal("sales", inboxes.Default.DisplayName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("two words")]
    [InlineData("bill:ing")]
    [InlineData("ünicode")]
    public void An_inbox_name_is_letters_digits_dashes_and_underscores(string name)
    {
        var channels = new ServiceCollection().AddCrmChannels();

        Assert.Throws<ArgumentException>(() => channels.AddEmailInbox(name, o => o.From = "a@shop.example"));
        Assert.Throws<ArgumentException>(() => channels.AddEmailInbox(new string('a', 65), o => o.From = "a@shop.example"));
    }

    [Fact]
    public void An_inbox_added_twice_is_refused()
    {
        var channels = new ServiceCollection().AddCrmChannels().AddEmailReplies(o => o.From = "support@shop.example").AddEmailInbox("billing", o => o.From = "billing@shop.example");

        Assert.Throws<InvalidOperationException>(() => channels.AddEmailInbox("billing", o => o.From = "other@shop.example"));
        Assert.Throws<InvalidOperationException>(() => channels.AddEmailReplies(o => o.From = "other@shop.example"));
    }

    [Theory]
    [InlineData("{% include 'footer' %}", "not allowed")]
    [InlineData("{% render 'footer' %}", "not allowed")]
    [InlineData("Regards, {{ agent.name", "not a valid template")]
    public void A_signature_that_is_no_safe_template_stops_the_host_at_start(string signature, string expected)
    {
        using var services = new ServiceCollection().AddLogging().AddCrmChannels()
            .AddEmailInbox("billing", o =>
            {
                o.From = "billing@shop.example";
                o.Signature = signature;
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<EmailReplyOptions>>().Get("billing"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inbox_address_that_is_no_address_stops_the_host_at_start()
    {
        using var services = new ServiceCollection().AddLogging().AddCrmChannels()
            .AddEmailInbox("billing", o =>
            {
                o.From = "billing@shop.example";
                o.Addresses.Add("invoices");
            })
            .Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<EmailReplyOptions>>().Get("billing"));

        Assert.Contains("'invoices'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signature_renders_the_agent_and_the_inbox_and_nothing_else()
    {
        var inbox = Inbox("Billing <billing@shop.example>", "{{ agent.name }} | {{ inbox.name }} | {{ inbox.address }} | {{ contact.email }}{{ ticket.id }}");

        var text = await MailSignature.RenderAsync(inbox.Signature!, "Ada <b>", inbox, TimeProvider.System);

        // Plain text: nothing is HTML-encoded here (the HTML part encodes it), and unknown names are empty.
        Assert.Equal("Ada <b> | Billing | billing@shop.example |", text);
    }

    [Fact]
    public async Task A_runaway_signature_is_stopped_by_the_sandbox()
    {
        var inbox = Inbox("billing@shop.example", "{% for i in (1..100) %}{% for j in (1..100) %}{% for k in (1..100) %}x{% endfor %}{% endfor %}{% endfor %}");

        var error = await Assert.ThrowsAsync<TemplateRenderException>(async () => await MailSignature.RenderAsync(inbox.Signature!, "Ada", inbox, TimeProvider.System));

        Assert.Contains("steps", error.Message, StringComparison.Ordinal);
    }

    private static EmailInbox Inbox(string from, string signature)
    {
        var settings = new EmailReplyOptions { From = from, Signature = signature };
        return new EmailInbox(new EmailInboxRegistration("billing", "billing", "smtp:inbox:billing"), settings);
    }

    private static ServiceProvider Inboxes(bool billingFirst)
    {
        var channels = new ServiceCollection().AddLogging().AddCrmChannels().AddEmail(_ => { });
        Action<EmailReplyOptions> billing = o =>
        {
            o.From = "Billing <billing@shop.example>";
            o.Addresses.Add("Invoices@Shop.example");
        };
        if (billingFirst)
        {
            channels.AddEmailInbox("billing", billing).AddEmailReplies(o => o.From = "Support <support@shop.example>");
        }
        else
        {
            channels.AddEmailReplies(o => o.From = "Support <support@shop.example>").AddEmailInbox("billing", billing);
        }

        return channels.Services.BuildServiceProvider();
    }
}
