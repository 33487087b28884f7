using Crm.Admin.Routing;
using Crm.Channels.Email;
using Crm.Hosting;
using Crm.Mail.OAuth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Tickets;

/// <summary>
/// "New email": an agent starts a conversation from one of the inboxes (through <c>POST /tickets/outbound</c>), and
/// sees each inbox's state: where its mail goes, whether its OAuth sign-in works, and when its mailbox was last polled.
/// </summary>
internal sealed class NewModel(CrmAdminSite site, IServiceProvider services, LoopHealthRegistry loops) : PageModel
{
    public IReadOnlyList<EmailInboxSummary> Inboxes { get; private set; } = [];

    /// <summary>Where the form posts: the agents' API, when the host mapped it.</summary>
    public string? OutboundUrl { get; private set; }

    /// <summary>The ticket page's address with a <c>0</c> where the new ticket's id goes.</summary>
    public string TicketUrlPattern => site.Href(Request, "tickets/0");

    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public IActionResult OnGet()
    {
        if (services.GetService<EmailInboxes>() is not { } inboxes)
        {
            return NotFound();
        }

        Inboxes = inboxes.Summaries;
        OutboundUrl = CrmApiLinks.Outbound(HttpContext);
        return Page();
    }

    /// <summary>The state of an inbox's OAuth sign-in for sending, when it uses one.</summary>
    public MailOAuthConnectionState? SendingState(EmailInboxSummary inbox) =>
        inbox.OAuthConnection is { } name && services.GetService<MailOAuthTokens>() is { } tokens ? tokens.CurrentStates().FirstOrDefault(s => s.Name == name) : null;

    /// <summary>
    /// When the inbox's own IMAP mailbox last polled, if it has one: a mailbox named after the inbox (as the sample host
    /// names them), or for the default inbox the unnamed mailbox.
    /// </summary>
    public (DateTimeOffset? LastSuccessAt, string? LastError)? LastPoll(EmailInboxSummary inbox)
    {
        var loop = loops.Find("imap:" + inbox.Name) ?? (inbox.Name == EmailReplyOptions.DefaultInbox ? loops.Find("imap:") : null);
        return loop?.Read() is { } read ? (read.LastSuccessAt, read.LastError) : null;
    }
}
