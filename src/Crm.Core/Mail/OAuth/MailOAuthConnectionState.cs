namespace Crm.Mail.OAuth;

/// <summary>Where an OAuth mail connection stands, as the admin and <c>/health</c> show it.</summary>
/// <param name="Name">The connection (<c>imap</c>, <c>imap:{mailbox}</c>, <c>smtp:replies</c>, <c>smtp:campaigns</c>, <c>smtp:{inbox}</c>).</param>
/// <param name="Account">The mailbox signed in to (the user name).</param>
/// <param name="Status">Connected, needs reconnect, or not yet used.</param>
/// <param name="Reason">Why it needs reconnecting, in the provider's or the server's words.</param>
/// <param name="Since">When it started to need reconnecting.</param>
/// <param name="LastSuccessAt">When a token last worked.</param>
/// <param name="CanConnect">Whether a Manager can connect it in the admin (delegated access with an authorization endpoint).</param>
/// <param name="IsConnected">Whether a refresh token from the admin's connect flow is kept for it.</param>
public sealed record MailOAuthConnectionState(
    string Name,
    string Account,
    MailOAuthStatus Status,
    string? Reason,
    DateTimeOffset? Since,
    DateTimeOffset? LastSuccessAt,
    bool CanConnect,
    bool IsConnected);

/// <summary>The state of an OAuth mail connection.</summary>
public enum MailOAuthStatus
{
    /// <summary>No token was asked for yet.</summary>
    Unused,

    /// <summary>The last token was issued and accepted.</summary>
    Connected,

    /// <summary>The provider or the server refused: someone must reconnect the mailbox or fix its settings. Retried with backoff meanwhile.</summary>
    NeedsReconnect,
}
