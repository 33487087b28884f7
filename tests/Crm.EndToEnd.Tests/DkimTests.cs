using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Testing;
using MimeKit;

namespace Crm.EndToEnd.Tests;

/// <summary>DKIM signing of campaign mail and agents' replies, checked by MimeKit's verifier and by dkimpy.</summary>
public sealed class DkimTests
{
    private const string Secret = "relay-secret-for-dkim-tests";

    [Fact]
    public async Task Campaign_mail_and_email_replies_carry_a_relaxed_rsa_signature_that_two_verifiers_accept()
    {
        using var keys = DkimKeys.CreateRsa();
        using var someoneElses = DkimKeys.CreateRsa();
        await using var owned = new OwnedResources();
        var sink = await owned.AddAsync(SmtpSink.StartAsync());
        var host = await owned.AddAsync(HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port,
            ("Crm:Campaigns:Dkim:Domain", "shop.example"), ("Crm:Campaigns:Dkim:Selector", "crm2026"), ("Crm:Campaigns:Dkim:PrivateKeyPath", keys.PrivateKeyPath),
            ("Crm:Email:InboundSecret", Secret), ("Crm:Email:ReplyFrom", "Support <support@shop.example>"))));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        var tag = "dkim" + Guid.NewGuid().ToString("N")[..8];
        await api.ImportAsync(Enumerable.Range(0, 3).Select(i => new { email = $"d{i}.{tag}@example.com", name = $"Dörte {i}", tags = new[] { tag } }));

        var id = await api.CreateAsync(new { subject = "Grüße and news", body = "<p>Hello {{ contact.name }} — façade sale ✓</p><p><a href=\"https://shop.example/sale\">Sale</a></p>", segment = new { tags = new[] { tag } } });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));
        var replyFile = await ReplyToAnEmailTicketAsync(host, sink);

        var files = sink.MessageFiles();
        Assert.Equal(4, files.Count);
        foreach (var file in files)
        {
            var message = SinkMessage.Load(file).Message;
            var signature = message.Headers[HeaderId.DkimSignature];
            Assert.NotNull(signature);
            var tags = Tags(signature);
            Assert.Equal("rsa-sha256", tags["a"]);
            Assert.Equal("relaxed/relaxed", tags["c"]);
            Assert.Equal("shop.example", tags["d"]);
            Assert.Equal("crm2026", tags["s"]);
            var signed = tags["h"].ToLowerInvariant().Split(':');
            Assert.True(new[] { "from", "to", "subject", "date", "message-id", "mime-version", "content-type" }.All(signed.Contains), $"h={tags["h"]} in {file}");
            if (file != replyFile)
            {
                Assert.True(new[] { "list-unsubscribe", "list-unsubscribe-post", "list-id" }.All(signed.Contains), $"h={tags["h"]} in {file}");
            }
            else
            {
                Assert.True(new[] { "in-reply-to", "references" }.All(signed.Contains), $"h={tags["h"]} in {file}");
            }

            Assert.True(await keys.VerifyWithMimeKitAsync(message), $"MimeKit rejects the signature of {file}");
            var (valid, output) = await keys.VerifyWithDkimpyAsync(file);
            Assert.True(valid, $"dkimpy rejects the signature of {file}: {output}");

            // The verifiers are not pushovers: another key's record, or a changed subject, fails.
            Assert.False((await keys.VerifyWithDkimpyAsync(file, someoneElses.DnsRecord)).Valid);
            message.Subject += " (altered)";
            Assert.False(await keys.VerifyWithMimeKitAsync(message));
        }
    }

    [Fact]
    public async Task An_ed25519_key_signs_ed25519_sha256()
    {
        using var keys = DkimKeys.CreateEd25519();
        await using var owned = new OwnedResources();
        var sink = await owned.AddAsync(SmtpSink.StartAsync());
        var host = await owned.AddAsync(HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port,
            ("Crm:Campaigns:Dkim:Domain", "shop.example"), ("Crm:Campaigns:Dkim:Selector", "ed2026"), ("Crm:Campaigns:Dkim:PrivateKeyPath", keys.PrivateKeyPath))));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        var tag = "ed" + Guid.NewGuid().ToString("N")[..8];
        await api.ImportAsync([new { email = $"e.{tag}@example.com", tags = new[] { tag } }]);

        var id = await api.CreateAsync(new { subject = "Ed25519", body = "<p>Small and fast</p>", segment = new { tags = new[] { tag } } });
        await api.WaitForStatusAsync(id, "completed", TimeSpan.FromSeconds(60));

        var message = SinkMessage.Load(Assert.Single(sink.MessageFiles())).Message;
        Assert.Equal("ed25519-sha256", Tags(message.Headers[HeaderId.DkimSignature]!)["a"]);
        Assert.True(await keys.VerifyWithMimeKitAsync(message));
    }

    [Theory]
    [InlineData("weak")]
    [InlineData("garbage")]
    [InlineData("partial")]
    public async Task A_weak_unreadable_or_half_configured_key_stops_the_host_at_start(string problem)
    {
        using var keys = DkimKeys.CreateRsa(problem == "weak" ? 1024 : 2048);
        if (problem == "garbage")
        {
            await File.WriteAllTextAsync(keys.PrivateKeyPath, "-----BEGIN RSA PRIVATE KEY-----\nnot a key\n-----END RSA PRIVATE KEY-----\n");
        }

        var settings = CampaignApi.HostSettings(2525, ("Crm:Campaigns:Dkim:Domain", "shop.example"), ("Crm:Campaigns:Dkim:PrivateKeyPath", keys.PrivateKeyPath));
        if (problem != "partial")
        {
            settings["Crm:Campaigns:Dkim:Selector"] = "crm2026";
        }

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => HostProcess.StartAsync(settings));

        var expected = problem switch { "weak" => "1024 bits", "garbage" => "not a PEM private key", _ => "Domain, Selector and PrivateKeyPath" };
        Assert.Contains(expected, failure.Message, StringComparison.Ordinal);
    }

    private static async Task<string> ReplyToAnEmailTicketAsync(HostProcess host, SmtpSink sink)
    {
        using var relay = host.CreateClient();
        using var agent = host.CreateClient(CampaignApi.AgentKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=email")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes($"From: Kai <kai@customer.example>\r\nTo: support@shop.example\r\nSubject: Signed?\r\nMessage-ID: <{Guid.NewGuid():N}@customer.example>\r\n\r\nIs your mail signed?\r\n")),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        request.Headers.Add("X-Crm-Secret", Secret);
        using var created = await relay.SendAsync(request);
        var ticketId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var before = sink.MessageFiles().ToHashSet();
        using var reply = await agent.PostAsJsonAsync($"/tickets/{ticketId}/replies", new { text = "Yes — with DKIM." });
        Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
        var replyId = (await reply.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await TicketApi.WaitForDeliveryAsync(agent, ticketId, replyId, "sent");
        return Assert.Single(sink.MessageFiles(), f => !before.Contains(f));
    }

    private static Dictionary<string, string> Tags(string header) => header
        .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(t => t.Split('=', 2))
        .Where(p => p.Length == 2)
        .ToDictionary(p => p[0].Trim(), p => string.Concat(p[1].Where(c => !char.IsWhiteSpace(c))));
}
