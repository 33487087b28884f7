using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Storage.EfCore;

/// <summary>Attaches a <see cref="CrmDatabaseProvider"/> to a context's options, for provider packages.</summary>
public static class CrmDatabaseProviderExtensions
{
    /// <summary>Tells the CRM stores which database this context runs on. Provider packages call it from their <c>UseCrm…</c>.</summary>
    public static DbContextOptionsBuilder UseCrmDatabaseProvider(this DbContextOptionsBuilder options, CrmDatabaseProvider provider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(provider);
        ((IDbContextOptionsBuilderInfrastructure)options).AddOrUpdateExtension(new CrmDatabaseProviderOptionsExtension(provider));
        return options;
    }

    /// <summary>The provider attached to <paramref name="db"/>'s options, or null.</summary>
    public static CrmDatabaseProvider? FindCrmDatabaseProvider(this DbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.GetService<IDbContextOptions>().FindCrmDatabaseProvider();
    }

    /// <summary>The provider attached to <paramref name="options"/>, or null.</summary>
    internal static CrmDatabaseProvider? FindCrmDatabaseProvider(this IDbContextOptions options)
        => options.FindExtension<CrmDatabaseProviderOptionsExtension>()?.Provider;

    internal static CrmDatabaseProvider GetCrmDatabaseProvider(this DbContext db)
        => db.FindCrmDatabaseProvider() ?? throw new InvalidOperationException(
            $"{db.GetType().Name} does not say which database the CRM runs on: configure it with o.UseCrmSqlite(...) from Crm.Storage.EfCore.Sqlite or o.UseCrmPostgres(...) from Crm.Storage.EfCore.PostgreSql.");

    private sealed class CrmDatabaseProviderOptionsExtension(CrmDatabaseProvider provider) : IDbContextOptionsExtension
    {
        private DbContextOptionsExtensionInfo? _info;

        public CrmDatabaseProvider Provider { get; } = provider;

        public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

        public void ApplyServices(IServiceCollection services)
        {
        }

        public void Validate(IDbContextOptions options)
        {
        }

        private sealed class ExtensionInfo(CrmDatabaseProviderOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
        {
            public override bool IsDatabaseProvider => false;

            public override string LogFragment => $"CrmDatabaseProvider={((CrmDatabaseProviderOptionsExtension)Extension).Provider.Name} ";

            public override int GetServiceProviderHashCode() => 0;

            public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

            public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
                => debugInfo["Crm:DatabaseProvider"] = ((CrmDatabaseProviderOptionsExtension)Extension).Provider.Name;
        }
    }
}
