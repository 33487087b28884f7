using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore;

/// <summary>A ready database context holding every CRM table.</summary>
public class CrmDbContext : DbContext
{
    /// <summary>Creates the context.</summary>
    public CrmDbContext(DbContextOptions<CrmDbContext> options)
        : base(options)
    {
    }

    /// <summary>For derived contexts.</summary>
    protected CrmDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyCrmChannels();
        modelBuilder.ApplyCrmCampaigns();
        this.GetCrmDatabaseProvider().ApplyConventions(modelBuilder);
    }
}
