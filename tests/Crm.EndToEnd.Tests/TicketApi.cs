using System.Net.Http.Json;
using System.Text.Json;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>Reads tickets and their messages the way an agent's client does.</summary>
internal static class TicketApi
{
    public static async Task<JsonElement> MessageAsync(HttpClient agent, long ticketId, long messageId)
    {
        var ticket = await agent.GetFromJsonAsync<JsonElement>($"/tickets/{ticketId}");
        return ticket.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetInt64() == messageId);
    }

    /// <summary>
    /// Every ticket of a channel, all pages: a check that something was NOT created must not stop at the first page,
    /// which a long test run fills with other tests' tickets.
    /// </summary>
    public static async Task<List<JsonElement>> AllTicketsAsync(HttpClient agent, string channel)
    {
        var all = new List<JsonElement>();
        for (var page = 1; ; page++)
        {
            var answer = await agent.GetFromJsonAsync<JsonElement>($"/tickets?channel={channel}&pageSize=200&page={page}");
            var items = answer.GetProperty("items").EnumerateArray().ToList();
            all.AddRange(items);
            if (items.Count < 200 || all.Count >= answer.GetProperty("total").GetInt32())
            {
                return all;
            }
        }
    }

    /// <summary>Waits until the outbound message reaches <paramref name="status"/> and returns it.</summary>
    public static Task<JsonElement> WaitForDeliveryAsync(HttpClient agent, long ticketId, long messageId, string status, TimeSpan? timeout = null) =>
        Poll.UntilAsync(
            () => MessageAsync(agent, ticketId, messageId),
            m => m.GetProperty("deliveryStatus").GetString() == status,
            timeout ?? TimeSpan.FromSeconds(20),
            $"reply {messageId} on ticket {ticketId} to be {status}");
}
