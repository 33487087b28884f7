namespace Crm.Mail.OAuth;

/// <summary>
/// The provider refused to issue a token (<c>invalid_grant</c>: consent revoked, password changed, token expired;
/// <c>invalid_client</c>: a wrong or expired secret), or the mail server refused the token. Trying again will not help
/// until someone acts: the mailbox needs reconnecting (or its settings fixing).
/// </summary>
public sealed class MailOAuthRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MailOAuthRefusedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public MailOAuthRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public MailOAuthRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
