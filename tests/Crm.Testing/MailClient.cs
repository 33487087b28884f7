namespace Crm.Testing;

/// <summary>What the tests' HTTP clients say they are: a person's mail client, so the open tracker counts their pixel loads as opens.</summary>
public static class MailClient
{
    /// <summary>Thunderbird's user agent.</summary>
    public const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.5.0";
}
