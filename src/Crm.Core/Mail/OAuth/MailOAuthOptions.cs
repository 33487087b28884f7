using System.ComponentModel.DataAnnotations;

namespace Crm.Mail.OAuth;

/// <summary>
/// Signs in to a mail server with an OAuth 2.0 access token (SASL <c>XOAUTH2</c>, or <c>OAUTHBEARER</c> where the
/// server offers it) instead of a password, as Microsoft 365 and Google require. Bound from an <c>OAuth</c> section
/// beside the server's settings (<c>Crm:Imap:OAuth</c>, <c>Crm:Smtp:OAuth</c>, <c>Crm:Email:Inboxes:{name}:Imap:OAuth</c>).
/// Unset (no <see cref="Provider"/> and no <see cref="TokenEndpoint"/>): the password is used.
/// </summary>
public sealed class MailOAuthOptions
{
    /// <summary>
    /// Fills in the endpoints and the scope of a known provider: <c>Microsoft</c> (with <see cref="Tenant"/>) or
    /// <c>Google</c>. <c>Custom</c> (the default): give <see cref="TokenEndpoint"/> (and <see cref="AuthorizationEndpoint"/> to connect in the admin).
    /// </summary>
    public MailOAuthProvider Provider { get; set; }

    /// <summary>Microsoft Entra ID only: the directory (tenant) id or domain. Default <c>organizations</c>.</summary>
    public string? Tenant { get; set; }

    /// <summary>Where tokens are obtained (RFC 6749 §3.2).</summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>Where a Manager is sent to consent when connecting the mailbox in the admin (RFC 6749 §3.1).</summary>
    public Uri? AuthorizationEndpoint { get; set; }

    /// <summary>The application (client) id registered with the provider.</summary>
    public string? ClientId { get; set; }

    /// <summary>The client secret, when the application authenticates with one.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>
    /// A PEM file holding the application's certificate and private key, when it authenticates with a certificate
    /// instead of a secret (a signed client assertion, RFC 7523, as Microsoft Entra ID accepts).
    /// </summary>
    public string? ClientCertificatePath { get; set; }

    /// <summary>
    /// The scope asked for; the provider's when unset: Microsoft app-only <c>https://outlook.office365.com/.default</c>,
    /// Microsoft delegated <c>https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access</c>,
    /// Google <c>https://mail.google.com/</c>.
    /// </summary>
    public string? Scope { get; set; }

    /// <summary>
    /// A refresh token obtained elsewhere (delegated access: Google, or a Microsoft 365 user). A mailbox connected in
    /// the admin uses the refresh token kept (encrypted) in the store instead.
    /// </summary>
    public string? RefreshToken { get; set; }

    /// <summary>
    /// Which grant obtains tokens: <c>ClientCredentials</c> (app-only, Microsoft 365) or <c>AuthorizationCode</c>
    /// (delegated: a refresh token configured or connected in the admin). <c>Auto</c> (the default): delegated for
    /// Google, when a refresh token is set or when an authorization endpoint is given; app-only otherwise.
    /// </summary>
    public MailOAuthGrant Grant { get; set; }

    /// <summary>How long a token request may take. Default 30 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether OAuth is configured at all.</summary>
    public bool IsEnabled => Provider != MailOAuthProvider.Custom || TokenEndpoint is not null;

    internal bool IsDelegated => Grant switch
    {
        MailOAuthGrant.ClientCredentials => false,
        MailOAuthGrant.AuthorizationCode => true,
        _ => Provider == MailOAuthProvider.Google || !string.IsNullOrEmpty(RefreshToken) || AuthorizationEndpoint is not null,
    };

    internal Uri ResolvedTokenEndpoint => TokenEndpoint ?? Provider switch
    {
        MailOAuthProvider.Microsoft => new Uri($"https://login.microsoftonline.com/{Uri.EscapeDataString(Tenant ?? "organizations")}/oauth2/v2.0/token"),
        MailOAuthProvider.Google => new Uri("https://oauth2.googleapis.com/token"),
        _ => throw new InvalidOperationException("OAuth needs a TokenEndpoint."),
    };

    internal Uri? ResolvedAuthorizationEndpoint => AuthorizationEndpoint ?? Provider switch
    {
        MailOAuthProvider.Microsoft => new Uri($"https://login.microsoftonline.com/{Uri.EscapeDataString(Tenant ?? "organizations")}/oauth2/v2.0/authorize"),
        MailOAuthProvider.Google => new Uri("https://accounts.google.com/o/oauth2/v2/auth"),
        _ => null,
    };

    internal string? ResolvedScope => !string.IsNullOrWhiteSpace(Scope) ? Scope : Provider switch
    {
        MailOAuthProvider.Microsoft when IsDelegated => "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access",
        MailOAuthProvider.Microsoft => "https://outlook.office365.com/.default",
        MailOAuthProvider.Google => "https://mail.google.com/",
        _ => null,
    };

    /// <summary>What is wrong with these settings, or null when they are usable (or OAuth is off).</summary>
    internal string? Problem()
    {
        if (!IsEnabled)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            return "OAuth needs a ClientId.";
        }

        if (TokenEndpoint is { } token && !IsHttp(token))
        {
            return $"OAuth TokenEndpoint '{token}' is not an absolute http(s) address.";
        }

        if (AuthorizationEndpoint is { } authorize && !IsHttp(authorize))
        {
            return $"OAuth AuthorizationEndpoint '{authorize}' is not an absolute http(s) address.";
        }

        if (!IsDelegated && string.IsNullOrEmpty(ClientSecret) && string.IsNullOrEmpty(ClientCertificatePath))
        {
            return "OAuth with client credentials needs a ClientSecret or a ClientCertificatePath.";
        }

        if (!string.IsNullOrEmpty(ClientCertificatePath) && !File.Exists(ClientCertificatePath))
        {
            return $"OAuth ClientCertificatePath '{ClientCertificatePath}' does not exist.";
        }

        return null;
    }

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}

/// <summary>The providers whose endpoints and scopes <see cref="MailOAuthOptions"/> knows.</summary>
public enum MailOAuthProvider
{
    /// <summary>Any OAuth 2.0 provider, given its endpoints.</summary>
    Custom,

    /// <summary>Microsoft Entra ID (Microsoft 365, Exchange Online).</summary>
    Microsoft,

    /// <summary>Google (Gmail, Google Workspace).</summary>
    Google,
}

/// <summary>How <see cref="MailOAuthOptions"/> obtains tokens.</summary>
public enum MailOAuthGrant
{
    /// <summary>Decided from the settings (see <see cref="MailOAuthOptions.Grant"/>).</summary>
    Auto,

    /// <summary>App-only access (RFC 6749 §4.4).</summary>
    ClientCredentials,

    /// <summary>Delegated access through a refresh token (RFC 6749 §6) from the authorization-code flow.</summary>
    AuthorizationCode,
}
