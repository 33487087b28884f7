using Microsoft.EntityFrameworkCore;
using Crm.Storage.EfCore.Entities;

namespace Crm.Storage.EfCore.Campaigns.Entities;

/// <summary>A row of <c>saved_segments</c>: a segment kept under a unique name.</summary>
internal sealed class SavedSegmentRecord : ICrmRecord
{
    /// <summary>The id.</summary>
    public long Id { get; set; }

    /// <summary>The unique name.</summary>
    public string Name { get; set; } = "";

    /// <summary>The criteria as JSON (the same form a campaign keeps).</summary>
    public string Criteria { get; set; } = "{}";

    /// <summary>Who saved it.</summary>
    public string? Owner { get; set; }

    /// <summary>When it was saved.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>Maps <see cref="SavedSegmentRecord"/> to <c>saved_segments</c>.</summary>
internal sealed class SavedSegmentRecordConfiguration : Microsoft.EntityFrameworkCore.IEntityTypeConfiguration<SavedSegmentRecord>
{
    public void Configure(Microsoft.EntityFrameworkCore.Metadata.Builders.EntityTypeBuilder<SavedSegmentRecord> segment)
    {
        segment.ToTable("saved_segments");
        segment.HasKey(s => s.Id);
        segment.Property(s => s.Id).HasColumnName("id");
        segment.Property(s => s.Name).HasColumnName("name").HasMaxLength(Crm.Campaigns.Segments.SavedSegment.MaxNameLength).IsRequired();
        segment.Property(s => s.Criteria).HasColumnName("criteria").IsRequired();
        segment.Property(s => s.Owner).HasColumnName("owner").HasMaxLength(256);
        segment.Property(s => s.CreatedAt).HasColumnName("created_at");
        // The name is the guard: of two saves racing for one name, the second insert fails, on any instance.
        segment.HasIndex(s => s.Name).IsUnique().HasDatabaseName("ux_saved_segments_name");
    }
}
