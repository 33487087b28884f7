using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// Templates are untrusted input: one that throws for some contacts fails only those recipients, and one that
/// would run for minutes or take gigabytes is refused before anything is sent.
/// </summary>
public sealed class CampaignTemplateSafetyTests
{
    // Valid for the sample contact (it has no divisor), throws DivideByZeroException for contacts whose divisor is 0.
    private const string DividingBody = "<p>Hi {{ contact.name }}{% if contact.divisor %}, your share is {{ 100 | divided_by: contact.divisor }}{% endif %}</p>";

    [Fact]
    public async Task A_template_throwing_for_some_contacts_fails_only_them_and_a_campaign_sharing_the_batch_is_sent_once_each()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port,
            ("Crm:Campaigns:BatchSize", "200"), ("Crm:Campaigns:ClaimLease", "00:00:02"), ("Crm:Campaigns:MaxRenderFailures", "50")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 12).Select(i => new
        {
            email = $"d{i}@example.com",
            name = $"D{i}",
            tags = new[] { "dividing" },
            attributes = new Dictionary<string, string> { ["divisor"] = i % 4 == 0 ? "0" : "5" },
        }));
        await api.ImportAsync(Enumerable.Range(0, 12).Select(i => new { email = $"n{i}@example.com", tags = new[] { "plain" } }));

        // Both due at the same moment, so the dispatcher launches both and claims their rows in one batch.
        var at = DateTimeOffset.UtcNow.AddSeconds(2);
        var dividing = await api.CreateAsync(new { subject = "Shares", body = DividingBody, segment = new { tags = new[] { "dividing" } }, scheduledAt = at });
        var plain = await api.CreateAsync(new { subject = "Plain", body = "<p>Hello</p>", segment = new { tags = new[] { "plain" } }, scheduledAt = at });

        var plainDone = await api.WaitForStatusAsync(plain, "completed", TimeSpan.FromSeconds(30));
        // Completed means no row is left claimed: a batch whose outcomes were lost would keep both campaigns "sending".
        var dividingDone = await api.WaitForStatusAsync(dividing, "completed", TimeSpan.FromSeconds(30));

        Assert.Equal(12, plainDone.GetProperty("sent").GetInt32());
        Assert.Equal(9, dividingDone.GetProperty("sent").GetInt32());
        Assert.Equal(3, dividingDone.GetProperty("failed").GetInt32());
        var perRecipient = SinkMessage.LoadAll(sink).SelectMany(m => m.EnvelopeRecipients).GroupBy(r => r).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(1, perRecipient.GetValueOrDefault($"n{i}@example.com")));
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(i % 4 == 0 ? 0 : 1, perRecipient.GetValueOrDefault($"d{i}@example.com")));
        Assert.Contains("divide by zero", host.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_campaign_whose_template_keeps_failing_pauses_itself_with_a_readable_reason()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(sink.Port, ("Crm:Campaigns:MaxRenderFailures", "3"), ("Crm:Campaigns:BatchSize", "5")));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var api = new CampaignApi(manager);
        await api.ImportAsync(Enumerable.Range(0, 30).Select(i => new { email = $"z{i}@example.com", tags = new[] { "zero" }, attributes = new Dictionary<string, string> { ["divisor"] = "0" } }));

        var id = await api.CreateAsync(new { subject = "Shares", body = DividingBody, segment = new { tags = new[] { "zero" } } });
        var campaign = await api.WaitForStatusAsync(id, "paused", TimeSpan.FromSeconds(30));

        var reason = campaign.GetProperty("pauseReason").GetString();
        Assert.Contains("could not be rendered", reason, StringComparison.Ordinal);
        Assert.Contains("divide by zero", reason, StringComparison.OrdinalIgnoreCase);
        Assert.InRange(campaign.GetProperty("failed").GetInt32(), 3, 30);
        Assert.Equal(0, campaign.GetProperty("sent").GetInt32());
        Assert.Empty(sink.MessageFiles());
    }

    [Theory]
    [InlineData("{% include 'secrets' %}", "include")]
    [InlineData("<p>{% if true %}{% render 'footer' %}{% endif %}</p>", "render")]
    [InlineData("{% from 'macros' import button %}", "from")]
    public async Task Tags_that_read_files_are_refused_at_creation_and_in_preview_naming_the_tag(string body, string tag)
    {
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(HostProcess.FreeTcpPort()));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var before = await new CampaignApi(manager).CountAsync();

        foreach (var path in new[] { "/bulk-email", "/bulk-email/preview" })
        {
            using var response = await manager.PostAsJsonAsync(path, new { subject = "Files", body });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains($"'{tag}'", problem.GetProperty("errors").GetProperty("body")[0].GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(before, await new CampaignApi(manager).CountAsync());
    }

    [Theory]
    [InlineData("{% for i in (1..100000000) %}x{% endfor %}", "range")]
    [InlineData("{% assign s = 'xxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}", "longer than")]
    [InlineData("{% assign s = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' | append: 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy' %}{{ s | replace: 'x', s | replace: 'x', s | replace: 'x', s }}", "longer than")]
    [InlineData("{% for i in (1..5000) %}{% for j in (1..5000) %}{{ j }}{% endfor %}{% endfor %}", "more than 100,000 steps")]
    [InlineData("{% for i in (1..9000) %}{{ '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789' }}{{ '0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789' }}{% endfor %}", "longer than")]
    public async Task Unbounded_templates_are_refused_within_a_second_at_creation_and_in_preview(string body, string reason)
    {
        await using var host = await HostProcess.StartAsync(CampaignApi.HostSettings(HostProcess.FreeTcpPort()));
        using var manager = host.CreateClient(CampaignApi.ManagerKey);
        var before = await new CampaignApi(manager).CountAsync();

        foreach (var path in new[] { "/bulk-email/preview", "/bulk-email" })
        {
            var watch = Stopwatch.StartNew();
            using var response = await manager.PostAsJsonAsync(path, new { subject = "Big", body });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"{path} took {watch.Elapsed}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains(reason, problem.GetProperty("errors").GetProperty("body")[0].GetString(), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(before, await new CampaignApi(manager).CountAsync());
    }
}
