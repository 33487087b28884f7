using System.Data.Common;

namespace Crm.Storage.EfCore;

/// <summary>
/// Tells a store that is unavailable for now (locked, unreachable, damaged, shutting down) from a bug, so hosts can
/// answer 503 with <c>Retry-After</c> instead of 500. Resolve it from the container; the database's own codes come
/// from its <see cref="CrmDatabaseProvider"/>. The CRM's endpoints use it through <see cref="ICrmStoreErrorClassifier"/>.
/// </summary>
public sealed class CrmStoreErrors : ICrmStoreErrorClassifier
{
    private readonly Lazy<CrmDatabaseProvider?> _provider;

    internal CrmStoreErrors(Func<CrmDatabaseProvider?> provider) => _provider = new Lazy<CrmDatabaseProvider?>(provider);

    /// <summary>True when <paramref name="exception"/> (or one it wraps) says the database cannot serve right now.</summary>
    public bool IsUnavailable(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException { IsTransient: true } or TimeoutException || _provider.Value?.IsUnavailable(current) == true)
            {
                return true;
            }
        }

        return false;
    }
}
