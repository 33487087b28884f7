using Crm.Security;
using System.Security.Claims;
using Crm.WebHost.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.WebHost.Pages;

/// <summary>Cookie sign-in for the people in <c>Crm:Users</c> (or the demo users).</summary>
public sealed class LoginModel(UserDirectory users, SignInThrottle throttle) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public new string? User { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    public bool ShowDemoUsers => users.DemoUsersEnabled;

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var address = HttpContext.Connection.RemoteIpAddress?.ToString();
        if (throttle.RetryAfter(User, address) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            Error = $"Too many failed sign-ins. Try again in {seconds} seconds.";
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }

        var user = users.Verify(User, Password);
        if (user is null)
        {
            throttle.RecordFailure(User, address);
            Error = "Unknown user or wrong password.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        throttle.RecordSuccess(user.Name);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role), new Claim(ClaimTypes.Email, user.Email)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        var home = user.Role == CrmRoles.Agent ? "/admin/tickets" : "/admin/bulk-email";
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : home);
    }
}
