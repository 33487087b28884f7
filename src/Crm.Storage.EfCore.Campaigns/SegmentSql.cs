using System.Text;
using Crm.Campaigns.Segments;
using Crm.Storage.EfCore.Entities;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore.Campaigns;

/// <summary>
/// Compiles a <see cref="SegmentCriteria"/> to a parameterised SQL condition over <c>contacts c</c>: every
/// user value is a parameter (<c>{n}</c>), never text in the statement. The same condition selects the
/// recipients counted in the editor and the ones snapshotted at launch, so the two agree.
/// </summary>
internal static class SegmentSql
{
    /// <summary>The condition, and the parameter values numbered from <paramref name="firstParameter"/>.</summary>
    public static (string Condition, List<object> Parameters) Compile(DbContext db, SegmentCriteria segment, int firstParameter)
    {
        var sql = new StringBuilder("c.email IS NOT NULL AND c.marketing_status = 'subscribed'");
        var parameters = new List<object>();
        string Next(object value)
        {
            parameters.Add(value);
            return "{" + (firstParameter + parameters.Count - 1) + "}";
        }

        foreach (var tag in (segment.Tags ?? []).Distinct(StringComparer.Ordinal))
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM ").Append(db.Table<ContactTagRecord>()).Append(" t WHERE t.contact_id = c.id AND t.tag = ").Append(Next(tag)).Append(')');
        }

        foreach (var (name, value) in segment.Attributes ?? new Dictionary<string, string>())
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM ").Append(db.Table<ContactAttributeRecord>()).Append(" a WHERE a.contact_id = c.id AND a.name = ").Append(Next(name))
               .Append(" AND a.value = ").Append(Next(value)).Append(')');
        }

        if (segment.CreatedAfter is { } after)
        {
            sql.Append(" AND c.created_at > ").Append(Next(CreatedAtParameter(db, after)));
        }

        if (segment.CreatedBefore is { } before)
        {
            sql.Append(" AND c.created_at < ").Append(Next(CreatedAtParameter(db, before)));
        }

        return (sql.ToString(), parameters);
    }

    // The column holds whatever the model's converter writes (sortable integers on SQLite); compare like with like.
    private static object CreatedAtParameter(DbContext db, DateTimeOffset value)
    {
        var converter = db.Model.FindEntityType(typeof(ContactRecord))?.FindProperty(nameof(ContactRecord.CreatedAt))?.GetTypeMapping().Converter;
        var utc = value.ToUniversalTime();
        return converter is null ? utc : converter.ConvertToProvider(utc)!;
    }
}
