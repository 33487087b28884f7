using System.Globalization;
using Crm.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Attachments;

/// <summary>
/// Short-lived signed links to one ticket's attachment, for those who have no agent session: chat visitors (their
/// transcript) and Twilio (fetching a WhatsApp reply's media). A link names the ticket, the content key and its expiry,
/// signed with a key kept in the store (so every instance accepts every instance's links).
/// </summary>
internal sealed class AttachmentLinks(ICrmSecretStore secrets, IOptions<AttachmentOptions> options, TimeProvider time, LinkGenerator links)
{
    /// <summary>The route name of the signed download endpoint.</summary>
    public const string RouteName = "CrmSignedAttachment";

    private const string Purpose = "attachment";
    private readonly SigningKey _key = new(secrets, "channels.attachments.link_key", static () => null);

    /// <summary>Loads (or creates) the signing key; after this, <see cref="PathFor"/> needs no I/O.</summary>
    public async ValueTask EnsureKeyAsync(CancellationToken cancellationToken) => await _key.LoadAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The signed path (with the request's path base when given) for a kept attachment of a ticket.</summary>
    public string? PathFor(HttpContext? context, long ticketId, string storageKey)
    {
        // Expiry rounded up to a minute: the same attachment gets the same link for a minute (cacheable, stable in a transcript).
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var expires = ((now + (long)options.Value.LinkLifetime.TotalSeconds) / 60 + 1) * 60;
        var values = new RouteValueDictionary
        {
            ["ticketId"] = ticketId,
            ["key"] = storageKey,
            ["expires"] = expires,
            ["signature"] = Sign(ticketId, storageKey, expires),
        };
        return context is null ? links.GetPathByName(RouteName, values) : links.GetPathByName(context, RouteName, values);
    }

    /// <summary>True when the signature is this service's for these values and the link has not expired (constant time).</summary>
    public async ValueTask<bool> VerifyAsync(long ticketId, string storageKey, long expires, string signature, CancellationToken cancellationToken)
    {
        if (signature.Length > 64 || expires < time.GetUtcNow().ToUnixTimeSeconds())
        {
            return false;
        }

        var key = await _key.LoadAsync(cancellationToken).ConfigureAwait(false);
        return SignedText.Verify(key, Purpose, Payload(ticketId, storageKey, expires), signature);
    }

    private string Sign(long ticketId, string storageKey, long expires) => SignedText.Mac(_key.Loaded, Purpose, Payload(ticketId, storageKey, expires));

    private static string Payload(long ticketId, string storageKey, long expires) => string.Create(CultureInfo.InvariantCulture, $"{ticketId}:{storageKey}:{expires}");
}
