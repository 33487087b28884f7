using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crm.Admin.Tests;

/// <summary>
/// The admin's scripts call the CRM's API with the sign-in cookie; a page on another site could make the same
/// browser send the same cookie. The API's protected endpoints tell the two apart by the page's anti-forgery token.
/// </summary>
public sealed partial class AdminApiForgeryTests
{
    [Fact]
    public async Task A_cookie_signed_in_post_to_the_api_without_the_pages_token_is_refused_and_with_it_the_reply_is_queued()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        builder.Services.AddCrmAuthorizationPolicies();
        builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
        builder.Services.AddCrmAdmin();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/signin", async (HttpContext context) =>
        {
            await context.SignInAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "ada"), new Claim(ClaimTypes.Role, CrmRoles.Agent)], CookieAuthenticationDefaults.AuthenticationScheme)));
            return "signed in";
        });
        app.MapCrmChannels().Agents.RequireAuthorization(CrmPolicies.Agents);
        app.MapCrmAdmin();
        await app.StartAsync();

        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.Urls.First()) };
        using (var chat = await browser.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "ann@example.com", message = "Where is my parcel?" }))
        {
            Assert.Equal(HttpStatusCode.Created, chat.StatusCode);
        }

        await browser.GetStringAsync("/signin");
        var id = JsonDocument.Parse(await browser.GetStringAsync("/tickets")).RootElement.GetProperty("items")[0].GetProperty("id").GetInt64();
        var page = await browser.GetStringAsync($"/crm-admin/tickets/{id}");
        var replyUrl = ReplyUrl().Match(page).Groups[1].Value;
        Assert.Equal($"/tickets/{id}/replies", replyUrl);

        // What another site's page can make the browser send: JSON, a form, or a made-up token — each with the cookie.
        // (A plain HTML form's urlencoded body never reaches the reply: the endpoint takes JSON or multipart only, 415.)
        var forgeries = new Func<HttpRequestMessage>[]
        {
            () => new HttpRequestMessage(HttpMethod.Post, replyUrl) { Content = JsonContent.Create(new { text = "Forged." }) },
            () => new HttpRequestMessage(HttpMethod.Post, replyUrl) { Content = new MultipartFormDataContent { { new StringContent("Forged."), "text" } } },
            () => new HttpRequestMessage(HttpMethod.Post, replyUrl) { Content = JsonContent.Create(new { text = "Forged." }), Headers = { { "RequestVerificationToken", "made-up" } } },
            () => new HttpRequestMessage(HttpMethod.Patch, $"/tickets/{id}") { Content = JsonContent.Create(new { status = "closed" }) },
        };
        foreach (var forgery in forgeries)
        {
            using var request = forgery();
            using var refused = await browser.SendAsync(request);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{request.Method} {request.Content?.Headers.ContentType}: {refused.StatusCode}");
            Assert.Contains("Anti-forgery token missing or invalid", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var form = await browser.PostAsync(replyUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["text"] = "Forged." })))
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        }

        var untouched = JsonDocument.Parse(await browser.GetStringAsync($"/tickets/{id}")).RootElement;
        Assert.Equal("open", untouched.GetProperty("status").GetString());
        Assert.Single(untouched.GetProperty("messages").EnumerateArray());

        using (var reply = new HttpRequestMessage(HttpMethod.Post, replyUrl) { Content = JsonContent.Create(new { text = "It ships today." }) })
        {
            reply.Headers.Add("RequestVerificationToken", MetaToken().Match(page).Groups[1].Value);
            using var queued = await browser.SendAsync(reply);
            Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        }

        var ticket = JsonDocument.Parse(await browser.GetStringAsync($"/tickets/{id}")).RootElement;
        Assert.Equal(["Where is my parcel?", "It ships today."], ticket.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()));
    }

    [GeneratedRegex("data-reply-url=\"([^\"]+)\"")]
    private static partial Regex ReplyUrl();

    [GeneratedRegex("<meta name=\"request-verification-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();
}
