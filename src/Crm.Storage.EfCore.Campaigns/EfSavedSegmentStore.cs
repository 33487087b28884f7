using System.Text.Json;
using Crm.Campaigns.Segments;
using Crm.Storage.EfCore.Campaigns.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>Saved segments in <c>saved_segments</c>, shared by every instance on the database.</summary>
internal sealed class EfSavedSegmentStore<TContext>(IDbContextFactory<TContext> contexts) : ISavedSegmentStore
    where TContext : DbContext
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<SavedSegment>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var rows = await db.Set<SavedSegmentRecord>().AsNoTracking().OrderBy(s => s.Name).Take(SavedSegment.MaxCount).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToSegment)];
    }

    /// <inheritdoc />
    public async Task<SavedSegment?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = await db.Set<SavedSegmentRecord>().AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false);
        return row is null ? null : ToSegment(row);
    }

    /// <inheritdoc />
    public async Task<SavedSegment?> CreateAsync(string name, SegmentCriteria segment, string? owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var row = new SavedSegmentRecord
        {
            Name = name,
            Criteria = JsonSerializer.Serialize(segment, CampaignsStorageJsonContext.Default.SegmentCriteria),
            Owner = owner,
            CreatedAt = now.ToUniversalTime(),
        };
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return ToSegment(row);
        }
        catch (DbUpdateException)
        {
            // The unique name refused it (another save won the race); anything else is the database's own failure.
            if (await NameTakenAsync(name, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            throw;
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<SavedSegmentRecord>().Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<SavedSegmentRecord>().CountAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> NameTakenAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        return await db.Set<SavedSegmentRecord>().AnyAsync(s => s.Name == name, cancellationToken).ConfigureAwait(false);
    }

    private static SavedSegment ToSegment(SavedSegmentRecord row) =>
        new(row.Id, row.Name, JsonSerializer.Deserialize(row.Criteria, CampaignsStorageJsonContext.Default.SegmentCriteria) ?? SegmentCriteria.All, row.Owner, row.CreatedAt);
}
