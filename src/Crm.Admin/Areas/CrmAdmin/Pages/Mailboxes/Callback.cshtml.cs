using Crm.Admin.Routing;
using Crm.Mail.OAuth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Mailboxes;

/// <summary>
/// Where the provider sends the Manager's browser back: the state must be the one this browser's flow holds, then the
/// code is exchanged with the PKCE verifier and the refresh token stored encrypted. Anything else: 400, nothing kept.
/// </summary>
internal sealed class CallbackModel(CrmAdminSite site, IDataProtectionProvider protection, TimeProvider time) : PageModel
{
    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? code, string? state, string? error, string? error_description, CancellationToken cancellationToken)
    {
        var path = Request.PathBase + site.PathOf("mailboxes/callback");
        var flow = MailboxConnectFlow.Take(Request, protection, state, User.Identity?.Name ?? "", time.GetUtcNow());
        MailboxConnectFlow.Clear(Response, path);
        if (flow is null)
        {
            return Refuse("This sign-in was not started here, has expired or was tampered with (the state does not match). Start again from Mailboxes.");
        }

        if (!string.IsNullOrEmpty(error) || string.IsNullOrEmpty(code))
        {
            return Refuse($"The provider did not grant access: {error ?? "no code"}{(error_description is null ? "" : ": " + error_description)}.");
        }

        if (HttpContext.RequestServices.GetService(typeof(MailOAuthTokens)) is not MailOAuthTokens tokens || !tokens.IsRegistered(flow.Connection))
        {
            return NotFound();
        }

        try
        {
            await tokens.ConnectAsync(flow.Connection, code, new Uri($"{Request.Scheme}://{Request.Host}{path}"), flow.Verifier, cancellationToken);
        }
        catch (Exception ex) when (ex is MailOAuthRefusedException or HttpRequestException)
        {
            return Refuse($"Connecting {flow.Connection} failed: {ex.Message}");
        }

        TempData["CrmAdmin.MailboxNotice"] = $"{flow.Connection} is connected.";
        return Redirect(site.Href(Request, "mailboxes"));
    }

    private PageResult Refuse(string problem)
    {
        Problem = problem;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
