using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Database.Sqlite;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without a host.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CrmDbContext>();
        options.UseCrmSqlite("Data Source=crm-design.db", sqlite => sqlite.MigrationsAssembly(typeof(SqliteDesignTimeFactory).Assembly.GetName().Name));
        return new CrmDbContext(options.Options);
    }
}
