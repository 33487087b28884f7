using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Crm.Database.PostgreSql;

/// <summary>Lets <c>dotnet ef migrations add</c> build the PostgreSQL model without a host or a server.</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<CrmDbContext>
{
    public CrmDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CrmDbContext>();
        options.UseCrmPostgres("Host=localhost;Database=crm_design", npgsql => npgsql.MigrationsAssembly(typeof(PostgresDesignTimeFactory).Assembly.GetName().Name));
        return new CrmDbContext(options.Options);
    }
}
