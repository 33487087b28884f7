using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Ingestion;

/// <summary>Limits the ingestion pipeline enforces for every channel.</summary>
public sealed class IngestionOptions
{
    /// <summary>The longest message text accepted, in characters. Default 100,000.</summary>
    [Range(1, 10_000_000)]
    public int MaxTextLength { get; set; } = 100_000;

    /// <summary>The longest external message id stored as it is; longer ids are stored as their SHA-256 hash. Default 512 (the column's size).</summary>
    [Range(72, 512)]
    public int MaxExternalIdLength { get; set; } = 512;

    /// <summary>How many times a write that lost a race is retried before failing. Default 3.</summary>
    [Range(0, 10)]
    public int ConflictRetries { get; set; } = 3;

    /// <summary>
    /// The most messages one ticket takes: a message that would go past it starts a new ticket for the same contact
    /// (a chat visitor gets a new conversation id with it), so no conversation grows without bound. Default 5,000.
    /// </summary>
    [Range(2, 10_000_000)]
    public int MaxMessagesPerTicket { get; set; } = 5_000;
}
