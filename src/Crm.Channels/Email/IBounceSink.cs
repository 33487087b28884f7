namespace Crm.Channels.Email;

/// <summary>
/// Receives the addresses a delivery-status report says bounced. Crm.Storage.EfCore registers one that marks
/// those contacts <c>bounced</c>, so campaigns never mail them again; register your own to do more.
/// </summary>
public interface IBounceSink
{
    /// <summary>Records that mail to these addresses failed permanently.</summary>
    Task RecordBouncesAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken);
}
