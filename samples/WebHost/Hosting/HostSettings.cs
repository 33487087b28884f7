namespace Crm.WebHost.Hosting;

/// <summary>The configuration keys the sample host reads (see DESIGN.md and the README's configuration table).</summary>
internal static class HostSettings
{
    public const string StorageProvider = "Crm:Storage:Provider";
    public const string StorageBusyTimeout = "Crm:Storage:BusyTimeout";
    public const string ConnectionStringName = "Crm";
    public const string DefaultConnectionString = "Data Source=crm.db";
    public const string ApiKeysSection = "Crm:ApiKeys";
    public const string ChatSection = "Crm:Chat";
    public const string IngestionSection = "Crm:Ingestion";
    public const string ChatPermitLimit = "Crm:RateLimiting:ChatPermitLimit";
    public const string ChatWindowSeconds = "Crm:RateLimiting:ChatWindowSeconds";
    public const string EmailSection = "Crm:Email";
    public const string InboxesSection = "Inboxes";
    public const string OutboxSection = "Crm:Outbox";
    public const string AttachmentsSection = "Crm:Attachments";
    public const string ConversationPermitLimit = "Crm:RateLimiting:ConversationPermitLimit";
    public const string SubscribePermitLimit = "Crm:RateLimiting:SubscribePermitLimit";
    public const string ImapSection = "Crm:Imap";
    public const string WhatsAppSection = "Crm:WhatsApp";
    public const string WebhooksSection = "Crm:Webhooks";
    public const string TrustedProxies = "Crm:ForwardedHeaders:KnownProxies";
    public const string CorsAllowedOrigins = "Crm:Cors:AllowedOrigins";
}
