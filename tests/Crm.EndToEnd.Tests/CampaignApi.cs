using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Crm.EndToEnd.Tests;

/// <summary>The campaign and contacts API as a manager's script would use it.</summary>
internal sealed class CampaignApi(HttpClient manager)
{
    public const string ManagerKey = "manager-key-for-tests";
    public const string AgentKey = "agent-key-for-campaign-tests";
    public const string MarketingKey = "marketing-key-for-campaign-tests";

    public static Dictionary<string, string?> HostSettings(int smtpPort, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"Crm:ApiKeys:{ManagerKey}"] = "Manager",
            [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
            [$"Crm:ApiKeys:{MarketingKey}"] = "Marketing",
            ["Crm:Smtp:Host"] = "127.0.0.1",
            ["Crm:Smtp:Port"] = smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Crm:Smtp:Security"] = "None",
            ["Crm:Campaigns:PollInterval"] = "00:00:00.100",
            ["Crm:Campaigns:FromAddress"] = "news@shop.example",
            ["Crm:Tracking:SigningKey"] = "test-signing-key-that-is-long-enough",
            // The tests open their pixels right after the send; a person would do so much later.
            ["Crm:Campaigns:MachineOpenWindow"] = "00:00:00",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    public async Task ImportAsync(IEnumerable<object> contacts)
    {
        foreach (var chunk in contacts.Chunk(5000))
        {
            using var response = await manager.PostAsJsonAsync("/contacts", chunk);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    public async Task<long> CreateAsync(object campaign)
    {
        using var response = await manager.PostAsJsonAsync("/bulk-email", campaign);
        Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    public async Task<JsonElement> GetAsync(long id) => await manager.GetFromJsonAsync<JsonElement>($"/bulk-email/{id}");

    public async Task<JsonElement> WaitForAsync(long id, Func<JsonElement, bool> condition, TimeSpan timeout, string? path = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var campaign = path is null ? await GetAsync(id) : await manager.GetFromJsonAsync<JsonElement>(path);
            if (condition(campaign))
            {
                return campaign;
            }

            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Campaign {id} did not reach the expected state: {campaign}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until the campaign has <paramref name="status"/> and no dispatcher holds any of its rows (<c>inFlight</c> 0),
    /// then confirms over a short window that nothing more is sent: the condition, not a clock, says sending stopped.
    /// </summary>
    public async Task<JsonElement> WaitUntilHeldAsync(long id, string status, TimeSpan timeout)
    {
        var held = await WaitForAsync(id, c => c.GetProperty("status").GetString() == status && c.GetProperty("inFlight").GetInt32() == 0, timeout);
        await Task.Delay(300);
        var confirmed = await GetAsync(id);
        Assert.Equal(held.GetProperty("sent").GetInt32(), confirmed.GetProperty("sent").GetInt32());
        Assert.Equal(0, confirmed.GetProperty("inFlight").GetInt32());
        return confirmed;
    }

    public Task<JsonElement> WaitForStatusAsync(long id, string status, TimeSpan timeout)
        => WaitForAsync(id, c => c.GetProperty("status").GetString() == status, timeout);

    public async Task<int> CountAsync() => (await manager.GetFromJsonAsync<JsonElement>("/bulk-email?pageSize=1")).GetProperty("total").GetInt32();
}
