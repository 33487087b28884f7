using System.Net;
using System.Text.RegularExpressions;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>A browser-like client of the admin UI: a cookie jar, the sign-in form with its anti-forgery token.</summary>
internal sealed partial class AdminSession : IDisposable
{
    private AdminSession(HostProcess host)
    {
        Cookies = new CookieContainer();
        Client = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
    }

    public CookieContainer Cookies { get; }

    public HttpClient Client { get; }

    public static AdminSession For(HostProcess host) => new(host);

    /// <summary>Posts the sign-in form as a browser would; returns the answer (302 on success).</summary>
    public async Task<HttpResponseMessage> SignInAsync(string user, string password, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var token = await FormTokenAsync("/login");
        var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = user, ["password"] = password, ["__RequestVerificationToken"] = token }),
        };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>The hidden anti-forgery field of the page's forms.</summary>
    public async Task<string> FormTokenAsync(string path)
    {
        var html = await Client.GetStringAsync(path);
        return FormToken().Match(html).Groups[1].Value;
    }

    /// <summary>The token the admin pages give their scripts for API calls.</summary>
    public async Task<string> MetaTokenAsync(string path = "/admin/tickets")
    {
        var html = await Client.GetStringAsync(path);
        return MetaToken().Match(html).Groups[1].Value;
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"request-verification-token\" content=\"([^\"]+)\"")]
    private static partial Regex MetaToken();
}
