using System.Globalization;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Where a campaign message names its recipient so that a delivery report can be tied back to it: the Message-ID
/// <c>crm.{campaignId}.{token}@{domain}</c> and the VERP return path <c>bounces+{campaignId}.{token}@{bounce domain}</c>,
/// with the same signed token as the tracking links. Only a report that quotes one of them, with a valid signature,
/// can suppress a contact: a hand-made report about any other address changes nothing.
/// </summary>
internal static class RecipientReference
{
    private const string MessageIdPrefix = "crm.";
    private const string ReturnPathPrefix = "bounces+";

    /// <summary>The Message-ID of the message to one recipient.</summary>
    public static string MessageId(long campaignId, string token, string domain)
        => string.Create(CultureInfo.InvariantCulture, $"{MessageIdPrefix}{campaignId}.{token}@{domain}");

    /// <summary>The envelope sender (VERP) of the message to one recipient: asynchronous bounces come back to it.</summary>
    public static string ReturnPath(long campaignId, string token, string domain)
        => string.Create(CultureInfo.InvariantCulture, $"{ReturnPathPrefix}{campaignId}.{token}@{domain}");

    /// <summary>Reads a Message-ID (with or without angle brackets) or a return-path address made by this class.</summary>
    /// <returns>False for anything else; the token is not verified here (use <see cref="TrackingTokens.Verify"/> with <see cref="TrackingTokenPurpose.Reference"/>).</returns>
    public static bool TryRead(string? value, out long campaignId, out string token)
    {
        campaignId = 0;
        token = "";
        var text = value?.Trim().Trim('<', '>') ?? "";
        var at = text.LastIndexOf('@');
        if (at <= 0)
        {
            return false;
        }

        var local = text[..at];
        if (local.StartsWith(MessageIdPrefix, StringComparison.Ordinal))
        {
            local = local[MessageIdPrefix.Length..];
        }
        else if (local.StartsWith(ReturnPathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            local = local[ReturnPathPrefix.Length..];
        }
        else
        {
            return false;
        }

        var dot = local.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(local.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out campaignId))
        {
            return false;
        }

        token = local[(dot + 1)..];
        return token.Length > 0;
    }
}
