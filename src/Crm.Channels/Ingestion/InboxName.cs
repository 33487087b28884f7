namespace Crm.Channels.Ingestion;

/// <summary>What an inbox's name may be: it is stored on tickets and written in URLs and configuration keys.</summary>
internal static class InboxName
{
    public const int MaxLength = 64;

    public const string Rule = "1 to 64 letters, digits, '-' or '_'";

    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
