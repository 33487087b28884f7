namespace Crm.Hosting;

/// <summary>The tags the CRM's health checks carry, to split liveness from readiness in <c>MapHealthChecks</c>.</summary>
public static class CrmHealthCheckTags
{
    /// <summary>Every CRM check.</summary>
    public const string Crm = "crm";

    /// <summary>The process works: its loops run (the dispatcher, the reply outbox). A failure here calls for a restart.</summary>
    public const string Live = "live";

    /// <summary>The process can serve: the store, the mail server. A failure here calls for waiting, not a restart.</summary>
    public const string Ready = "ready";

    /// <summary>A mailbox the CRM reads (IMAP): failing means mail waits, not that the process is broken.</summary>
    public const string Mailbox = "mailbox";
}
