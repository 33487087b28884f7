using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Storage.EfCore.Migrations;

/// <summary>Lets <c>dotnet ef migrations add</c> build the context without a host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<CrmDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
