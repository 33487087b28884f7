using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Crm.Storage.EfCore;

/// <summary>
/// Applies <see cref="CrmTableOptions"/> to the CRM's entities of a model, and gives the stores' hand-written SQL the
/// names the model actually has, so a prefix or schema reaches every statement, not only EF's own.
/// </summary>
internal static class CrmTableNaming
{
    // The name a configuration gave, kept so applying the options again (each feature call does) never prefixes twice.
    private const string BaseNameAnnotation = "Crm:BaseName";

    // On the model: the options the first call applied, so a second feature call with other ones is caught.
    private const string OptionsAnnotation = "Crm:TableOptions";

    public static void Apply(ModelBuilder modelBuilder, Action<CrmTableOptions>? configure, string caller)
    {
        var applied = modelBuilder.Model.FindAnnotation(OptionsAnnotation)?.Value as string;
        if (configure is null)
        {
            if (applied is not null)
            {
                throw new InvalidOperationException($"The CRM's tables were given CrmTableOptions ({applied}) by another Apply call; give {caller} the same, they share the contact and settings tables.");
            }

            return;
        }

        var options = new CrmTableOptions();
        configure(options);
        options.Validate();
        var these = $"prefix '{options.TablePrefix}', schema '{options.Schema}'";
        if (applied is not null && applied != these)
        {
            throw new InvalidOperationException($"{caller} was given CrmTableOptions ({these}) unlike another Apply call's ({applied}); give both the same, they share the contact and settings tables.");
        }

        modelBuilder.Model.SetAnnotation(OptionsAnnotation, these);
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => typeof(ICrmRecord).IsAssignableFrom(e.ClrType)))
        {
            entity.SetTableName(options.TablePrefix + BaseName(entity, entity.GetTableName()!));
            entity.SetSchema(options.Schema);
            foreach (var index in entity.GetIndexes().Where(i => i.GetDatabaseName() is not null))
            {
                index.SetDatabaseName(options.TablePrefix + BaseName(index, index.GetDatabaseName()!));
            }
        }
    }

    private static string BaseName(IMutableAnnotatable item, string current)
    {
        if (item.FindAnnotation(BaseNameAnnotation)?.Value is string name)
        {
            return name;
        }

        item.SetAnnotation(BaseNameAnnotation, current);
        return current;
    }

    /// <summary>The delimited, schema-qualified name of <typeparamref name="TRecord"/>'s table in <paramref name="db"/>.</summary>
    public static string Table<TRecord>(this DbContext db)
    {
        var entity = db.Model.FindEntityType(typeof(TRecord))
            ?? throw new InvalidOperationException($"{db.GetType().Name} has no {typeof(TRecord).Name}: apply the CRM's tables in its OnModelCreating.");
        return db.GetService<ISqlGenerationHelper>().DelimitIdentifier(entity.GetTableName()!, entity.GetSchema());
    }
}
