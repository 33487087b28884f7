namespace Crm.Channels.Ingestion;

/// <summary>The rule channel names follow: 1 to 64 of <c>a-z</c>, <c>0-9</c>, <c>-</c> and <c>_</c>.</summary>
public static class ChannelName
{
    /// <summary>True when <paramref name="name"/> is a valid channel name.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
