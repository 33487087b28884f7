namespace Crm.Channels.Tickets;

/// <summary>The lower-case name a delivery status has in the HTTP API and in the events: one spelling for both.</summary>
internal static class DeliveryStatusNames
{
    public static string ToApi(DeliveryStatus status) => status.ToString().ToLowerInvariant();
}
