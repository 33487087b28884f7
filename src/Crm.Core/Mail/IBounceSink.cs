namespace Crm.Mail;

/// <summary>
/// Acts on delivery reports. A sink must act only on a report it can tie to mail it sent (anyone can mail the support
/// address a hand-made report): <c>AddBulkEmail()</c> (Crm.Campaigns) registers one that suppresses a campaign recipient when the report
/// quotes that message's signed Message-ID or arrives at its signed VERP address. Reports no sink acts on become tickets,
/// so agents see them.
/// </summary>
public interface IBounceSink
{
    /// <summary>Records the report if it names mail this sink sent.</summary>
    /// <returns>True when the report was tied to our mail and acted on.</returns>
    Task<bool> RecordAsync(DeliveryReport report, CancellationToken cancellationToken);
}
