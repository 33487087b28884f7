using Crm.Admin.Routing;
using Crm.Hosting;
using Crm.Mail.OAuth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Mailboxes;

/// <summary>
/// The mailboxes that sign in with OAuth: their state (connected, needs reconnect, last sign-in, last poll), and
/// "Connect" for those a Manager authorises in the provider's consent screen (PKCE). No token is ever shown.
/// </summary>
internal sealed class IndexModel(CrmAdminSite site, IDataProtectionProvider protection, LoopHealthRegistry loops, TimeProvider time) : PageModel
{
    public IReadOnlyList<MailOAuthConnectionState> Connections { get; private set; } = [];

    [TempData(Key = "CrmAdmin.MailboxNotice")]
    public string? Notice { get; set; }

    public DateTimeOffset? LastPoll(MailOAuthConnectionState connection)
    {
        // The IMAP poller reports each round under "imap:{mailbox}"; its connection is "imap" or "imap:{mailbox}".
        if (!connection.Name.StartsWith("imap", StringComparison.Ordinal))
        {
            return null;
        }

        var mailbox = connection.Name.Length > 4 ? connection.Name[5..] : "";
        return loops["imap:" + mailbox].Read().LastSuccessAt;
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Connections = Tokens is { } tokens ? await tokens.StatesAsync(cancellationToken) : [];
    }

    /// <summary>
    /// A link, not a form: browsers apply the admin's <c>form-action 'self'</c> to a form's redirect, which would stop
    /// the way to the provider. It changes nothing on the server; it only gives this browser a flow to complete.
    /// </summary>
    public IActionResult OnGetConnect(string name)
    {
        if (Tokens is not { } tokens || !tokens.IsRegistered(name))
        {
            return NotFound();
        }

        var (flow, challenge) = MailboxConnectFlow.Start(name, User.Identity?.Name ?? "", time.GetUtcNow());
        MailboxConnectFlow.Save(Response, protection, flow, CallbackPath);
        return Redirect(tokens.AuthorizationUri(name, CallbackUri, flow.State, challenge).AbsoluteUri);
    }

    public async Task<IActionResult> OnPostDisconnectAsync(string name, CancellationToken cancellationToken)
    {
        if (Tokens is not { } tokens || !tokens.IsRegistered(name))
        {
            return NotFound();
        }

        await tokens.DisconnectAsync(name, cancellationToken);
        Notice = $"{name} is disconnected: its refresh token is deleted.";
        return RedirectToPage();
    }

    private MailOAuthTokens? Tokens => HttpContext.RequestServices.GetService(typeof(MailOAuthTokens)) as MailOAuthTokens;

    private string CallbackPath => Request.PathBase + site.PathOf("mailboxes/callback");

    private Uri CallbackUri => new($"{Request.Scheme}://{Request.Host}{CallbackPath}");
}
