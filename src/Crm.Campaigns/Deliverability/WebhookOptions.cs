using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns.Deliverability;

/// <summary>
/// The sending providers' bounce and complaint webhooks (<c>POST /bulk-email/webhooks/{provider}</c>); a provider is
/// on when its credentials are set (<c>Crm:Campaigns:Webhooks</c>).
/// </summary>
public sealed class WebhookOptions : IValidatableObject
{
    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Postmark.UserName is not null && Postmark.Password is not { Length: >= 16 })
        {
            yield return new ValidationResult("The Postmark webhook password must be at least 16 characters.", [nameof(Postmark)]);
        }

        if (Generic.Secret is { Length: < 32 })
        {
            yield return new ValidationResult("The generic webhook secret must be at least 32 characters.", [nameof(Generic)]);
        }
    }

    /// <summary>Soft bounces in a row (no delivery in between) that suppress an address. Default 3.</summary>
    [Range(1, 100)]
    public int SoftBounceLimit { get; set; } = 3;

    /// <summary>How old a signed request may be: older ones are refused as stale (a replay). Default 1 hour.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Amazon SES through SNS.</summary>
    public SesWebhookOptions Ses { get; } = new();

    /// <summary>SendGrid's Event Webhook.</summary>
    public SendGridWebhookOptions SendGrid { get; } = new();

    /// <summary>Mailgun's webhooks.</summary>
    public MailgunWebhookOptions Mailgun { get; } = new();

    /// <summary>Postmark's bounce and spam complaint webhooks.</summary>
    public PostmarkWebhookOptions Postmark { get; } = new();

    /// <summary>Any other provider or relay, posting the generic format signed with a shared secret.</summary>
    public GenericWebhookOptions Generic { get; } = new();
}

/// <summary>Amazon SES notifications delivered by SNS.</summary>
public sealed class SesWebhookOptions
{
    /// <summary>The SNS topics whose messages are accepted (exact ARNs); empty: SES is off.</summary>
    public IList<string> AllowedTopicArns { get; } = [];

    /// <summary>
    /// Where SNS signing certificates may be fetched from (a regular expression over the whole URL). Default: https on
    /// an Amazon SNS host, so a forged message cannot point the check at a certificate of its own.
    /// </summary>
    public string CertificateUrlPattern { get; set; } = @"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/[^?#]+\.pem$";

    /// <summary>Where subscription confirmations may send us (the <c>SubscribeURL</c>): an Amazon SNS host by default.</summary>
    public string SubscribeUrlPattern { get; set; } = @"^https://sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/\?Action=ConfirmSubscription&";
}

/// <summary>SendGrid's signed Event Webhook.</summary>
public sealed class SendGridWebhookOptions
{
    /// <summary>The verification key SendGrid shows for the signed webhook (base64 of the ECDSA P-256 public key); unset: off.</summary>
    public string? PublicKey { get; set; }
}

/// <summary>Mailgun's signed webhooks.</summary>
public sealed class MailgunWebhookOptions
{
    /// <summary>The HTTP webhook signing key from Mailgun's dashboard; unset: off.</summary>
    public string? SigningKey { get; set; }
}

/// <summary>Postmark's webhooks, authenticated with HTTP basic auth in the webhook URL.</summary>
public sealed class PostmarkWebhookOptions
{
    /// <summary>The basic-auth user name set on the webhook; unset: off.</summary>
    public string? UserName { get; set; }

    /// <summary>The basic-auth password (at least 16 characters).</summary>
    public string? Password { get; set; }
}

/// <summary>
/// The generic format: <c>{"events": [{"id", "type": "hard_bounce"|"soft_bounce"|"complaint", "email", "messageId"?}]}</c>
/// with <c>X-Crm-Timestamp</c> (Unix seconds) and <c>X-Crm-Signature: sha256={hex HMAC-SHA256 of "{timestamp}.{body}"}</c>.
/// </summary>
public sealed class GenericWebhookOptions
{
    /// <summary>The shared secret (at least 32 characters); unset: off.</summary>
    public string? Secret { get; set; }
}
