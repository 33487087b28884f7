using Crm.Channels.Ingestion;

namespace Crm.Channels.Email;

/// <summary>What became of one email.</summary>
/// <param name="Kind">What it was.</param>
/// <param name="Result">The ingestion result, for a message.</param>
public sealed record EmailIntakeResult(EmailKind Kind, IngestionResult? Result);
