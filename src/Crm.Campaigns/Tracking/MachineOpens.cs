namespace Crm.Campaigns.Tracking;

/// <summary>
/// Tells a person opening a mail from a machine loading its pixel. Heuristics, documented with their limits: Apple Mail
/// Privacy Protection loads every image of every mail through Apple's proxy, which sends the bare user agent
/// <c>Mozilla/5.0</c>; security gateways and link scanners name themselves (or send no user agent at all); and any load
/// within <see cref="TrackingOptions.MachineOpenWindow"/> of the send is too fast for a person (the store checks that
/// one, against the ledger's send time). A person behind such a proxy is counted as a machine; a scanner that poses as a
/// browser well after delivery is counted as a person.
/// </summary>
public static class MachineOpens
{
    private static readonly string[] ScannerMarks =
    [
        "bot", "crawler", "spider", "scanner", "preview", "barracuda", "mimecast", "proofpoint", "messagelabs", "symantec",
        "forcepoint", "trend micro", "sophos", "fortinet", "cisco", "ironport", "python-requests", "curl/", "wget/", "go-http-client",
        "java/", "okhttp", "axios", "headlesschrome", "phantomjs", "microsoft office protocol discovery",
    ];

    /// <summary>True when the user agent looks like a machine rather than a person's mail client.</summary>
    public static bool IsMachineUserAgent(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return true;
        }

        var agent = userAgent.Trim();
        // Apple Mail Privacy Protection's proxy: exactly this, nothing after it.
        if (agent == "Mozilla/5.0")
        {
            return true;
        }

        return ScannerMarks.Any(mark => agent.Contains(mark, StringComparison.OrdinalIgnoreCase));
    }
}
