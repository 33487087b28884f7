using Crm.Storage.EfCore.Entities;

namespace Crm.Storage.EfCore.Channels.Entities;

/// <summary>
/// A row of <c>ticket_quoted_ids</c>: a message id a ticket's mail answered that no stored message had (an unknown
/// parent), so another mail answering the same parent joins that ticket.
/// </summary>
internal sealed class TicketQuotedIdRecord : ICrmRecord
{
    /// <summary>The channel of the quoting mail.</summary>
    public string Channel { get; set; } = "";

    /// <summary>The quoted message id.</summary>
    public string ExternalMessageId { get; set; } = "";

    /// <summary>The ticket that quoted it first.</summary>
    public long TicketId { get; set; }
}
