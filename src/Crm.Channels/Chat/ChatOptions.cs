using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Chat;

/// <summary>The website chat channel: limits, visitor tokens, identity verification and the live event stream.</summary>
public sealed class ChatOptions : IValidatableObject
{
    /// <summary>The longest message accepted, in characters. Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageLength { get; set; } = 10_000;

    /// <summary>The largest request body accepted, in bytes. Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// The largest file a visitor may send with a message (<c>multipart/form-data</c> with one <c>file</c> part);
    /// 0 turns uploads off. Default 10 MiB.
    /// </summary>
    [Range(0, 1024L * 1024 * 1024)]
    public long MaxUploadBytes { get; set; } = 10L * 1024 * 1024;

    /// <summary>
    /// The file types a visitor may send (images and PDF are checked against their first bytes). Default PNG, JPEG,
    /// GIF, WebP, PDF and plain text.
    /// </summary>
    public IList<string> UploadContentTypes { get; } = ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"];

    /// <summary>The longest visitor name accepted. Default 200.</summary>
    [Range(1, 256)]
    public int MaxNameLength { get; set; } = 200;

    /// <summary>
    /// The key visitor tokens are signed with (at least 32 bytes). Unset: a key is generated once and kept in the store,
    /// so every host instance on that store shares it.
    /// </summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>
    /// The secret the customer's site signs its signed-in users with: <c>identityHash</c> = hex HMAC-SHA256 of the
    /// lower-cased email. Unset: identity verification is off.
    /// </summary>
    public string? IdentitySecret { get; set; }

    /// <summary>Refuse chat messages without a valid <c>identityHash</c> (needs <see cref="IdentitySecret"/>).</summary>
    public bool RequireVerifiedIdentity { get; set; }

    /// <summary>How often an event stream sends a heartbeat comment, so proxies keep it open. Default 15 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often, while streams are open, the store is checked for messages other host instances wrote. Default 1 second.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan StreamPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one event stream stays open; the browser reconnects with <c>Last-Event-ID</c> and loses nothing. Default 30 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MaxStreamDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The most file bytes one client address (an IPv6 address counted by its /64) may upload per
    /// <see cref="UploadQuotaWindow"/> on a host instance; past it uploads are answered 429. Default 100 MiB.
    /// </summary>
    [Range(0, long.MaxValue)]
    public long UploadQuotaPerClient { get; set; } = 100L * 1024 * 1024;

    /// <summary>The most file bytes one conversation may receive per <see cref="UploadQuotaWindow"/> on a host instance. Default 50 MiB.</summary>
    [Range(0, long.MaxValue)]
    public long UploadQuotaPerConversation { get; set; } = 50L * 1024 * 1024;

    /// <summary>The window the upload quotas count over. Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan UploadQuotaWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The most event streams one conversation keeps open on a host instance; a new one replaces the oldest (a visitor
    /// with many tabs keeps the newest). Default 5.
    /// </summary>
    [Range(1, 1000)]
    public int MaxStreamsPerConversation { get; set; } = 5;

    /// <summary>
    /// The most event streams one client address (an IPv6 address counted by its /64) keeps open on a host instance;
    /// past it a new stream is answered 429. Default 20.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxStreamsPerClient { get; set; } = 20;

    /// <summary>
    /// When an agent's chat reply has not reached the visitor's widget within this time and the visitor left an email
    /// address, the reply is also emailed (needs <c>.AddEmailReplies(...)</c>), threaded so that the customer's email
    /// answer joins the same ticket. Default 10 minutes; <see cref="TimeSpan.Zero"/> turns it off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan OfflineEmailAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TokenSigningKey is not null && System.Text.Encoding.UTF8.GetByteCount(TokenSigningKey) < 32)
        {
            yield return new ValidationResult("The chat TokenSigningKey must be at least 32 bytes: a short key lets anyone forge visitor tokens.", [nameof(TokenSigningKey)]);
        }

        if (IdentitySecret is not null && System.Text.Encoding.UTF8.GetByteCount(IdentitySecret) < 16)
        {
            yield return new ValidationResult("The chat IdentitySecret must be at least 16 bytes.", [nameof(IdentitySecret)]);
        }

        if (RequireVerifiedIdentity && string.IsNullOrEmpty(IdentitySecret))
        {
            yield return new ValidationResult("RequireVerifiedIdentity needs an IdentitySecret to verify identities with.", [nameof(RequireVerifiedIdentity)]);
        }
    }
}
