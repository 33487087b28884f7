namespace Crm.Channels.Endpoints;

/// <summary>A quarantined email in the agents' API: mail that could not become a ticket, kept until an agent decides.</summary>
/// <param name="Id">The quarantine id.</param>
/// <param name="Source">The mailbox, or <c>webhook</c>.</param>
/// <param name="Reason">Why it could not be taken.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="QuarantinedAt">When.</param>
/// <param name="Sender">The sender as far as it could be read.</param>
/// <param name="Subject">The subject as far as it could be read.</param>
/// <param name="RawUrl">Where the original message downloads, or null when it could not be kept.</param>
public sealed record QuarantinedEmailDto(long Id, string Source, string Reason, long Size, DateTimeOffset QuarantinedAt, string? Sender, string? Subject, string? RawUrl);
