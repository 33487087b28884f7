using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// The real-world corpus through both ways mail comes in — the webhook and the IMAP poller against Dovecot — and
/// what an agent then sees through the API: the right contact, the text, every file downloadable with its bytes, no
/// <c>cid:</c> left.
/// </summary>
public sealed class MailCorpusTests(EmailHostFixture fixture) : IClassFixture<EmailHostFixture>, IDisposable
{
    private HttpClient? _agent;

    private HttpClient Agent => _agent ??= fixture.Host.CreateClient(EmailHostFixture.AgentKey);

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in MailCorpus.Names)
        {
            data.Add(name, "webhook");
            data.Add(name, "imap");
        }

        return data;
    }

    public void Dispose() => _agent?.Dispose();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_agent_sees_the_mail_whole(string name, string transport)
    {
        var key = Guid.NewGuid().ToString("N")[..10];
        var (raw, expect) = MailCorpus.Build(name, key);

        if (transport == "webhook")
        {
            using var client = fixture.Host.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email") { Content = new ByteArrayContent(raw) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
            request.Headers.Add("X-Crm-Secret", EmailHostFixture.Secret);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        else
        {
            await fixture.Dovecot.DeliverAsync(raw);
        }

        var ticket = await Poll.UntilAsync(() => FindTicketAsync(key), t => t is not null, TimeSpan.FromSeconds(30), $"a ticket for {name} ({key})");
        var details = await Agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticket!.Value.GetProperty("id").GetInt64()}");
        var message = details.GetProperty("messages")[0];

        Assert.Equal(expect.Contact, details.GetProperty("contact").ValueKind == JsonValueKind.Null ? null : details.GetProperty("contact").GetProperty("email").GetString());
        Assert.Contains(expect.Text, message.GetProperty("text").GetString(), StringComparison.Ordinal);
        if (expect.NotInText is { } absent)
        {
            Assert.DoesNotContain(absent, message.GetProperty("text").GetString(), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("cid:", message.GetProperty("html").ValueKind == JsonValueKind.String ? message.GetProperty("html").GetString() : "", StringComparison.OrdinalIgnoreCase);
        var files = message.GetProperty("attachments").EnumerateArray().ToDictionary(a => a.GetProperty("fileName").GetString()!, a => a);
        Assert.Equal(expect.Files.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        foreach (var (fileName, bytes) in expect.Files)
        {
            var downloaded = await Agent.GetByteArrayAsync(files[fileName].GetProperty("url").GetString());
            if (bytes is not null)
            {
                Assert.Equal(bytes, downloaded);
            }
            else
            {
                Assert.NotEmpty(downloaded);
            }
        }
    }

    private async Task<JsonElement?> FindTicketAsync(string key)
    {
        return (await TicketApi.AllTicketsAsync(Agent, "email")).Select(t => (JsonElement?)t)
            .FirstOrDefault(t => t!.Value.GetProperty("subject").GetString()?.Contains(key, StringComparison.Ordinal) == true);
    }
}
