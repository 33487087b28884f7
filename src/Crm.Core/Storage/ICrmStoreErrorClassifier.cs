namespace Crm.Storage;

/// <summary>
/// Tells a store that cannot serve right now (locked, unreachable, failing over, shutting down) from a bug. The CRM's
/// endpoints answer the first with 503 and <c>Retry-After</c> instead of 500; the Entity Framework stores register one
/// (<c>CrmStoreErrors</c>), a custom store registers its own.
/// </summary>
public interface ICrmStoreErrorClassifier
{
    /// <summary>True when <paramref name="exception"/> (or one it wraps) says the store is unavailable for now.</summary>
    bool IsUnavailable(Exception exception);
}
