using Crm.Events;
using Microsoft.Extensions.Options;

namespace Crm.Campaigns.Contacts;

/// <summary>Imports rows of contacts (from the API's JSON or a UI's CSV): bad rows are reported, good rows go in.</summary>
public sealed class ContactImporter
{
    private readonly IContactDirectory _contacts;
    private readonly TimeProvider _time;
    private readonly BulkEmailOptions _options;
    private readonly CrmEventPublisher _events;

    // Resolved from AddBulkEmail(): the event publisher is not part of the public API.
    internal ContactImporter(IContactDirectory contacts, TimeProvider time, IOptions<BulkEmailOptions> options, CrmEventPublisher events)
    {
        ArgumentNullException.ThrowIfNull(options);
        _events = events;
        _contacts = contacts;
        _time = time;
        _options = options.Value;
    }

    /// <summary>The most rows one import takes.</summary>
    public int MaxRows => _options.MaxImportRows;

    /// <summary>Validates every row and upserts the valid ones by email; the same address twice keeps the later row.</summary>
    public async Task<ContactImportResult> ImportAsync(IReadOnlyList<ContactImportRow?> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var accepted = new Dictionary<string, ContactUpsert>(StringComparer.Ordinal);
        var rejected = new List<RejectedContactRow>();
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (row is null)
            {
                rejected.Add(new RejectedContactRow(i, null, ["the row is null"]));
                continue;
            }

            var (contact, reasons) = ContactImportValidator.Validate(row.Email, row.Name, row.Phone, row.Tags, row.Attributes);
            if (contact is null)
            {
                rejected.Add(new RejectedContactRow(i, row.Email, reasons));
            }
            else
            {
                accepted[contact.Email] = contact with { Subscribe = row.Subscribed };
            }
        }

        if (accepted.Count == 0)
        {
            return new ContactImportResult(0, 0, rejected);
        }

        var now = _time.GetUtcNow();
        var upserted = await _contacts.UpsertAsync(accepted.Values.ToList(), now, cancellationToken).ConfigureAwait(false);
        foreach (var contact in upserted.CreatedContacts)
        {
            await _events.PublishAsync(new ContactCreatedEvent(contact.Id, contact.Email, null, "import") { Timestamp = now }, cancellationToken).ConfigureAwait(false);
        }

        return new ContactImportResult(upserted.Created, upserted.Updated, rejected);
    }
}
