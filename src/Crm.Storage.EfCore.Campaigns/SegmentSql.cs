using System.Text;
using Crm.Campaigns.Segments;
using Crm.Storage.EfCore.Campaigns.Entities;
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
    /// <param name="db">The context whose model names the tables.</param>
    /// <param name="segment">The criteria, validated.</param>
    /// <param name="now">What <see cref="EngagementCondition.WithinDays"/> counts back from.</param>
    /// <param name="firstParameter">The number of the first parameter.</param>
    public static (string Condition, List<object> Parameters) Compile(DbContext db, SegmentCriteria segment, DateTimeOffset now, int firstParameter)
    {
        var sql = new StringBuilder("c.email IS NOT NULL AND c.marketing_status = 'subscribed'");
        var parameters = new List<object>();
        string Next(object value)
        {
            parameters.Add(value);
            return "{" + (firstParameter + parameters.Count - 1) + "}";
        }

        AppendCriteria(sql, db, segment, now, Next);
        if (segment.AnyOf is { Count: > 0 } groups)
        {
            sql.Append(" AND (");
            for (var i = 0; i < groups.Count; i++)
            {
                sql.Append(i == 0 ? "(1 = 1" : " OR (1 = 1");
                AppendCriteria(sql, db, groups[i], now, Next);
                sql.Append(')');
            }

            sql.Append(')');
        }

        return (sql.ToString(), parameters);
    }

    /// <summary>Appends <c> AND …</c> for each condition of one criteria (not its OR groups).</summary>
    private static void AppendCriteria(StringBuilder sql, DbContext db, SegmentCriteria segment, DateTimeOffset now, Func<object, string> next)
    {
        foreach (var tag in (segment.Tags ?? []).Distinct(StringComparer.Ordinal))
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM ").Append(db.Table<ContactTagRecord>()).Append(" t WHERE t.contact_id = c.id AND t.tag = ").Append(next(tag)).Append(')');
        }

        foreach (var (name, value) in segment.Attributes ?? new Dictionary<string, string>())
        {
            sql.Append(" AND EXISTS (SELECT 1 FROM ").Append(db.Table<ContactAttributeRecord>()).Append(" a WHERE a.contact_id = c.id AND a.name = ").Append(next(name))
               .Append(" AND a.value = ").Append(next(value)).Append(')');
        }

        if (segment.CreatedAfter is { } after)
        {
            sql.Append(" AND c.created_at > ").Append(next(DateParameter<ContactRecord>(db, nameof(ContactRecord.CreatedAt), after)));
        }

        if (segment.CreatedBefore is { } before)
        {
            sql.Append(" AND c.created_at < ").Append(next(DateParameter<ContactRecord>(db, nameof(ContactRecord.CreatedAt), before)));
        }

        foreach (var condition in segment.Engagement ?? [])
        {
            // A contact received a campaign when its ledger row was sent; opens on that row are people's only (machine
            // opens are counted apart, in machine_open_count), so a scanner's fetch never makes anyone an opener.
            sql.Append(condition.IsNegated ? " AND NOT EXISTS (" : " AND EXISTS (")
               .Append("SELECT 1 FROM ").Append(db.Table<CampaignRecipientRecord>()).Append(" r WHERE r.contact_id = c.id AND r.state = 'sent'");
            if (condition.CampaignId is { } campaignId)
            {
                sql.Append(" AND r.campaign_id = ").Append(next(campaignId));
            }

            if (condition.WithinDays is { } days)
            {
                sql.Append(" AND r.sent_at >= ").Append(next(DateParameter<CampaignRecipientRecord>(db, nameof(CampaignRecipientRecord.SentAt), now.AddDays(-days))));
            }

            switch (condition.Action)
            {
                case "opened":
                    sql.Append(" AND r.first_opened_at IS NOT NULL");
                    break;
                case "clicked" when condition.Link is { } link:
                    sql.Append(" AND EXISTS (SELECT 1 FROM ").Append(db.Table<CampaignLinkClickRecord>()).Append(" k WHERE k.recipient_id = r.id AND k.link_index = ").Append(next(link)).Append(')');
                    break;
                case "clicked":
                    sql.Append(" AND r.first_clicked_at IS NOT NULL");
                    break;
            }

            sql.Append(')');
        }
    }

    // The column holds whatever the model's converter writes (sortable integers on SQLite); compare like with like.
    private static object DateParameter<TEntity>(DbContext db, string property, DateTimeOffset value)
    {
        var converter = db.Model.FindEntityType(typeof(TEntity))?.FindProperty(property)?.GetTypeMapping().Converter;
        var utc = value.ToUniversalTime();
        return converter is null ? utc : converter.ConvertToProvider(utc)!;
    }
}
