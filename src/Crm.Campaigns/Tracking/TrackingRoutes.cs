using System.Globalization;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// The recipients' links — open pixel, click, unsubscribe — declared once: <c>MapBulkEmail()</c> maps these patterns,
/// and the message builder writes URLs that match them, so the two cannot drift apart.
/// </summary>
internal static class TrackingRoutes
{
    /// <summary>The group every tracking endpoint is mapped under.</summary>
    public const string Group = "/bulk-email";

    /// <summary>The open pixel, relative to <see cref="Group"/>.</summary>
    public const string Open = "/open/{campaignId:long}/{token}";

    /// <summary>A tracked link, relative to <see cref="Group"/>.</summary>
    public const string Click = "/click/{campaignId:long}/{token}";

    /// <summary>The unsubscribe page (GET) and one-click unsubscribe (POST), relative to <see cref="Group"/>.</summary>
    public const string Unsubscribe = "/unsubscribe/{campaignId:long}/{token}";

    /// <summary>The absolute URL of <paramref name="route"/> under <paramref name="root"/> (no trailing slash).</summary>
    public static string Url(string root, string route, long campaignId, string token)
        => root + Group + route
            .Replace("{campaignId:long}", campaignId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{token}", token, StringComparison.Ordinal);
}
