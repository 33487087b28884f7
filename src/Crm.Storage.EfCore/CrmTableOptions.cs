using System.Text.RegularExpressions;

namespace Crm.Storage.EfCore;

/// <summary>
/// Where the CRM's tables live in an integrator's own context: a prefix for every table and index name
/// (<c>crm_</c> turns <c>contacts</c> into <c>crm_contacts</c>, so a host table named <c>contacts</c> keeps its name) and
/// a schema (PostgreSQL). Give both feature calls the same options: they share the contact and settings tables.
/// </summary>
public sealed partial class CrmTableOptions
{
    /// <summary>Put before every CRM table and index name; letters, digits and underscores. Default: none.</summary>
    public string TablePrefix { get; set; } = "";

    /// <summary>The schema of the CRM's tables (created by migrations); null for the database's default.</summary>
    public string? Schema { get; set; }

    /// <summary>Throws when a name would need quoting rules of its own or could smuggle SQL into the stores' statements.</summary>
    internal void Validate()
    {
        if (!SafeName().IsMatch(TablePrefix) && TablePrefix.Length > 0)
        {
            throw new ArgumentException($"CrmTableOptions.TablePrefix '{TablePrefix}' may contain only letters, digits and underscores, and start with a letter.", nameof(TablePrefix));
        }

        if (Schema is not null && !SafeName().IsMatch(Schema))
        {
            throw new ArgumentException($"CrmTableOptions.Schema '{Schema}' may contain only letters, digits and underscores, and start with a letter.", nameof(Schema));
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,30}$")]
    private static partial Regex SafeName();
}
