using Crm.Campaigns.Segments;

namespace Crm.Campaigns.Storage;

internal sealed partial class InMemoryCampaignStores : ISavedSegmentStore
{
    private readonly List<SavedSegment> _segments = [];

    /// <inheritdoc />
    public Task<IReadOnlyList<SavedSegment>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<SavedSegment>>([.. _segments.OrderBy(s => s.Name, StringComparer.Ordinal)]);
        }
    }

    /// <inheritdoc />
    Task<SavedSegment?> ISavedSegmentStore.GetAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_segments.Find(s => s.Id == id));
        }
    }

    /// <inheritdoc />
    public Task<SavedSegment?> CreateAsync(string name, SegmentCriteria segment, string? owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_segments.Exists(s => s.Name == name))
            {
                return Task.FromResult<SavedSegment?>(null);
            }

            var saved = new SavedSegment(_segments.Count == 0 ? 1 : _segments.Max(s => s.Id) + 1, name, segment, owner, now);
            _segments.Add(saved);
            return Task.FromResult<SavedSegment?>(saved);
        }
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_segments.RemoveAll(s => s.Id == id) > 0);
        }
    }

    /// <inheritdoc />
    Task<int> ISavedSegmentStore.CountAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_segments.Count);
        }
    }
}
