namespace Crm.Channels.Tickets;

/// <summary>The lower-case names statuses have in the HTTP API and query strings.</summary>
public static class TicketStatusNames
{
    /// <summary>The API name of a status.</summary>
    public static string ToApi(TicketStatus status) => status switch
    {
        TicketStatus.Open => "open",
        TicketStatus.Pending => "pending",
        TicketStatus.Solved => "solved",
        TicketStatus.Closed => "closed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Parses an API name (case-insensitive).</summary>
    public static bool TryParse(string? value, out TicketStatus status)
    {
        switch (value?.ToLowerInvariant())
        {
            case "open": status = TicketStatus.Open; return true;
            case "pending": status = TicketStatus.Pending; return true;
            case "solved": status = TicketStatus.Solved; return true;
            case "closed": status = TicketStatus.Closed; return true;
            default: status = default; return false;
        }
    }
}
