using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;

namespace Crm.Database;

/// <summary>
/// The ready database context holding every CRM table: both features' (<c>ApplyCrmChannels()</c>, <c>ApplyCrmCampaigns()</c>).
/// Its migrations come with Crm.Database.Sqlite and Crm.Database.PostgreSql, one set per database.
/// </summary>
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
        modelBuilder.ApplyCrmWebhooks();
        modelBuilder.ApplyCrmChannels();
        modelBuilder.ApplyCrmCampaigns();
        this.GetCrmDatabaseProvider().ApplyConventions(modelBuilder);
    }
}
