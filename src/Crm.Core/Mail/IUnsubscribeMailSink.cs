namespace Crm.Mail;

/// <summary>
/// Acts on a mail that asks to stop marketing mail, as a <c>List-Unsubscribe</c> <c>mailto:</c> link sends it. A sink
/// handles only a request it can verify (<c>AddBulkEmail()</c> of Crm.Campaigns registers one that checks the campaign's signed token in the
/// subject); a verified request never opens a ticket, anything else is an ordinary message for agents.
/// </summary>
public interface IUnsubscribeMailSink
{
    /// <summary>Unsubscribes the recipient the mail names, if it names one with a valid signature.</summary>
    /// <param name="sender">The mail's From address.</param>
    /// <param name="subject">The subject, e.g. <c>unsubscribe 12 345.AbC…</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the request was verified and carried out.</returns>
    Task<bool> TryUnsubscribeAsync(string sender, string subject, CancellationToken cancellationToken);
}
