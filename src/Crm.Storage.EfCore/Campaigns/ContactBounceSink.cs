using Crm.Campaigns.Contacts;
using Crm.Channels.Email;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>Connects the email intake's bounces to campaigns: a bounced address is never mailed again.</summary>
internal sealed class ContactBounceSink(IContactDirectory contacts, TimeProvider time) : IBounceSink
{
    public async Task RecordBouncesAsync(IReadOnlyList<string> addresses, CancellationToken cancellationToken)
    {
        foreach (var address in addresses)
        {
            await contacts.MarkBouncedAsync(address, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }
}
