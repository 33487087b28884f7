namespace Crm.Events;

/// <summary>
/// Something that happened in the CRM, published after the store committed it: to in-process handlers
/// (<see cref="ICrmEventHandler{TEvent}"/>) and, in the same shape, to whatever the host forwards it to. Each event has a
/// stable <see cref="Type"/> (see <see cref="CrmEventTypes"/>), a unique <see cref="Id"/>, the time it happened and a
/// versioned payload (<see cref="CrmEventJson"/>): fields are only ever added to a version, never renamed or removed.
/// </summary>
public abstract record CrmEvent
{
    /// <summary>Unique per event (<c>evt_</c> and 32 hex digits, time-ordered): a receiver's de-duplication key.</summary>
    public string Id { get; init; } = NewId();

    /// <summary>When it happened.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The stable type name, e.g. <c>ticket.created</c>.</summary>
    public abstract string Type { get; }

    /// <summary>The payload's version; a change that would break a receiver gets a new version, not a new meaning.</summary>
    public virtual int Version => 1;

    /// <summary>A new event id: a version-7 GUID (time-ordered) in hex.</summary>
    public static string NewId() => "evt_" + Guid.CreateVersion7().ToString("N");
}
