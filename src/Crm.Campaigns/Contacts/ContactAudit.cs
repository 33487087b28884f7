using Microsoft.Extensions.Logging;

namespace Crm.Campaigns.Contacts;

/// <summary>
/// The audit trail of changes people make to a contact's marketing status, written to the log category
/// <see cref="Category"/> so operators can route it to durable storage.
/// </summary>
public static partial class ContactAudit
{
    /// <summary>The log category of audit entries.</summary>
    public const string Category = "Crm.Campaigns.Audit";

    /// <summary>A person lifted a contact's suppression.</summary>
    [LoggerMessage(EventId = 3601, Level = LogLevel.Warning, Message = "AUDIT: contact {ContactId} ({Email}) suppression '{Suppression}' cleared by {Actor}")]
    public static partial void SuppressionCleared(ILogger logger, long contactId, string email, string suppression, string actor);
}
