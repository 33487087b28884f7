using System.Xml.Linq;
using Crm.Storage.EfCore.Entities;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace Crm.Storage.EfCore;

/// <summary>
/// Keeps ASP.NET Core Data Protection's key ring in <c>crm_settings</c>, so every instance of the host decrypts what
/// another encrypted (a mailbox's connected OAuth refresh token, sign-in cookies) and keys outlive a redeploy. Used
/// unless the host chose its own key store (<c>PersistKeysTo…</c>).
/// </summary>
internal sealed class EfDataProtectionKeyRepository<TContext>(IDbContextFactory<TContext> contexts) : IXmlRepository
    where TContext : DbContext
{
    private const string Prefix = "dataprotection.key.";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = contexts.CreateDbContext();
        return db.Set<CrmSettingRecord>().AsNoTracking().Where(s => s.Key.StartsWith(Prefix)).Select(s => s.Value).AsEnumerable().Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        ArgumentException.ThrowIfNullOrEmpty(friendlyName);
        using var db = contexts.CreateDbContext();
        db.Add(new CrmSettingRecord { Key = Prefix + friendlyName, Value = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
