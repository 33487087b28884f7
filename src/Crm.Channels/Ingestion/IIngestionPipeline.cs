namespace Crm.Channels.Ingestion;

/// <summary>
/// Takes normalised messages from any channel and stores them as tickets: validates, dedupes,
/// resolves the contact, threads into a conversation, and raises <see cref="TicketEvent"/>s.
/// </summary>
public interface IIngestionPipeline
{
    /// <summary>Ingests one message.</summary>
    /// <exception cref="InvalidInboundMessageException">The message breaks a rule; nothing was stored.</exception>
    Task<IngestionResult> IngestAsync(InboundMessage message, CancellationToken cancellationToken);
}
