using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.WhatsApp;

/// <summary>
/// One Twilio account (or WhatsApp sender) the WhatsApp channel accepts webhooks for and sends from.
/// Configure several with named options: <c>AddWhatsApp("uk-support", o =&gt; ...)</c>.
/// </summary>
public sealed class WhatsAppOptions
{
    /// <summary>The Twilio account SID (<c>AC…</c>). Inbound webhooks name it; outbound calls authenticate with it.</summary>
    [Required]
    [RegularExpression("^AC[0-9a-fA-F]{32}$", ErrorMessage = "A Twilio account SID is AC followed by 32 hex digits.")]
    public string AccountSid { get; set; } = "";

    /// <summary>The account's auth token: the key of <c>X-Twilio-Signature</c> and the password for the REST API.</summary>
    [Required]
    [MinLength(16)]
    public string AuthToken { get; set; } = "";

    /// <summary>
    /// The public base URL Twilio calls (scheme, host, optional port and path prefix, e.g.
    /// <c>https://crm.example.com</c>). Behind a reverse proxy the host sees another URL than Twilio signed;
    /// set this and signatures are checked against it plus the request's path and query.
    /// When unset the request's own URL is used, which honours <c>X-Forwarded-*</c> only when the host's
    /// forwarded-headers middleware trusts the proxy.
    /// </summary>
    [Url]
    public string? PublicBaseUrl { get; set; }

    /// <summary>The sender for replies, <c>whatsapp:+E164</c>. Either this or <see cref="MessagingServiceSid"/>.</summary>
    public string? From { get; set; }

    /// <summary>A Messaging Service SID (<c>MG…</c>) to send replies through instead of <see cref="From"/>.</summary>
    public string? MessagingServiceSid { get; set; }

    /// <summary>The REST API's base URL; point it at a local server in tests. Default <c>https://api.twilio.com</c>.</summary>
    [Required]
    [Url]
    public string ApiBaseUrl { get; set; } = "https://api.twilio.com";

    /// <summary>
    /// Hosts inbound media (<c>MediaUrlN</c>) may be fetched from; a leading <c>*.</c> allows subdomains. The host of
    /// <see cref="ApiBaseUrl"/> is always allowed. Media elsewhere is recorded as not kept and never requested: a
    /// webhook cannot make the host fetch from, or send the account's credentials to, anywhere else.
    /// Default Twilio's hosts: <c>api.twilio.com</c>, <c>*.twilio.com</c>, <c>*.twiliocdn.com</c>.
    /// </summary>
    public IList<string> MediaHosts { get; } = ["api.twilio.com", "*.twilio.com", "*.twiliocdn.com"];

    /// <summary>
    /// How long one media download may take, headers and body together (a server that drips its body is cut off).
    /// Default 60 seconds.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MediaTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest webhook body accepted, in bytes. Default 64 KiB (Twilio's bodies are a few KiB).</summary>
    [Range(1024, 4 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;
}
