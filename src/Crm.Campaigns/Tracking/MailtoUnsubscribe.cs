using System.Globalization;
using System.Text.RegularExpressions;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// The subject of the <c>List-Unsubscribe</c> <c>mailto:</c> link, <c>unsubscribe {campaignId} {token}</c>: what the
/// message builder writes and what the email intake reads back when a mailbox provider or a person sends it.
/// </summary>
public static partial class MailtoUnsubscribe
{
    /// <summary>The subject for one recipient.</summary>
    public static string Subject(long campaignId, string token)
        => string.Create(CultureInfo.InvariantCulture, $"unsubscribe {campaignId} {token}");

    /// <summary>Reads a subject made by <see cref="Subject"/> (a reply prefix such as <c>Re:</c> is tolerated); the token is not verified here.</summary>
    public static bool TryRead(string? subject, out long campaignId, out string token)
    {
        var match = SubjectPattern().Match(subject ?? "");
        token = match.Success ? match.Groups[2].Value : "";
        campaignId = match.Success && long.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        return match.Success && campaignId > 0;
    }

    [GeneratedRegex(@"^\s*(?:(?:re|aw|fwd?)\s*:\s*)*unsubscribe\s+(\d{1,19})\s+([A-Za-z0-9._-]{1,64})\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectPattern();
}
