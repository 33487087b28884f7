using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Crm.Admin.Pages.Tickets;

/// <summary>The agents' inbox: tickets filtered by channel and status, newest activity first.</summary>
internal sealed class IndexModel(ITicketQueryStore tickets, IEnumerable<Crm.Channels.Adapters.IChannelAdapter> adapters, IServiceProvider services) : PageModel
{
    /// <summary>Email is on, so mail may wait in the quarantine.</summary>
    public bool HasQuarantine => services.GetService<Crm.Channels.Email.EmailQuarantine>() is not null;

    /// <summary>Some inbox can send: agents may start an email conversation.</summary>
    public bool CanStartEmail => services.GetService<Crm.Channels.Email.EmailInboxes>() is not null;

    [BindProperty(SupportsGet = true)]
    public string? Channel { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public TicketPage Result { get; private set; } = new([], 1, 50, 0);

    public IReadOnlyList<string> Channels { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Channels = adapters.Select(a => a.Channel).Order(StringComparer.Ordinal).ToList();
        TicketStatus? status = TicketStatusNames.TryParse(Status, out var parsed) ? parsed : null;
        var channel = string.IsNullOrEmpty(Channel) ? null : Channel;
        Result = await tickets.ListTicketsAsync(new TicketQuery(channel, status, Math.Clamp(PageNumber, 1, 1_000_000), 50), cancellationToken);
    }
}
