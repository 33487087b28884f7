namespace Crm.Campaigns.Segments;

/// <summary>A segment kept under a name, to be reused in the editor and counted live.</summary>
/// <param name="Id">The store's id.</param>
/// <param name="Name">Its name, unique.</param>
/// <param name="Segment">The criteria.</param>
/// <param name="Owner">Who saved it (the signed-in name), when known.</param>
/// <param name="CreatedAt">When it was saved.</param>
public sealed record SavedSegment(long Id, string Name, SegmentCriteria Segment, string? Owner, DateTimeOffset CreatedAt)
{
    /// <summary>The longest name.</summary>
    public const int MaxNameLength = 128;

    /// <summary>The most segments a store keeps: the list is counted live, one count each.</summary>
    public const int MaxCount = 200;
}

/// <summary>Where saved segments are kept: the in-memory stores, or the EF stores in the CRM's database.</summary>
public interface ISavedSegmentStore
{
    /// <summary>Every saved segment, by name.</summary>
    Task<IReadOnlyList<SavedSegment>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One saved segment, or null.</summary>
    Task<SavedSegment?> GetAsync(long id, CancellationToken cancellationToken);

    /// <summary>Saves a segment under a new name.</summary>
    /// <returns>The saved segment; null when the name is taken (whoever races for it, one wins).</returns>
    Task<SavedSegment?> CreateAsync(string name, SegmentCriteria segment, string? owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes a saved segment (campaigns made from it keep their own copy of the criteria).</summary>
    /// <returns>False when there was none.</returns>
    Task<bool> DeleteAsync(long id, CancellationToken cancellationToken);

    /// <summary>How many segments are saved.</summary>
    Task<int> CountAsync(CancellationToken cancellationToken);
}
