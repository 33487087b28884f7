using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Crm.Channels.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Crm.Channels.Attachments;

/// <summary>
/// Short-lived signed links to one ticket's attachment, for those who have no agent session: chat visitors (their
/// transcript) and Twilio (fetching a WhatsApp reply's media). A link names the ticket, the content key and its expiry,
/// signed with a key kept in the store (so every instance accepts every instance's links).
/// </summary>
internal sealed class AttachmentLinks(ITicketStore store, IOptions<AttachmentOptions> options, TimeProvider time, LinkGenerator links)
{
    /// <summary>The route name of the signed download endpoint.</summary>
    public const string RouteName = "CrmSignedAttachment";

    private byte[]? _key;

    /// <summary>Loads (or creates) the signing key; after this, <see cref="PathFor"/> needs no I/O.</summary>
    public async ValueTask EnsureKeyAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _key) is null)
        {
            Volatile.Write(ref _key, await store.GetOrCreateSecretAsync("attachments.link_key", RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false));
        }
    }

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

        await EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(ticketId, storageKey, expires)), Encoding.ASCII.GetBytes(signature));
    }

    private string Sign(long ticketId, string storageKey, long expires)
    {
        var key = Volatile.Read(ref _key) ?? throw new InvalidOperationException("Call EnsureKeyAsync first.");
        var data = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"attachment:{ticketId}:{storageKey}:{expires}"));
        return WebEncoders.Base64UrlEncode(HMACSHA256.HashData(key, data));
    }
}
