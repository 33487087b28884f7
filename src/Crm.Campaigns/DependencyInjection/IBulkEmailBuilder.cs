using Microsoft.Extensions.DependencyInjection;

namespace Crm.Campaigns.DependencyInjection;

/// <summary>Returned by <c>AddBulkEmail()</c>: the sender and stores add themselves through extension methods on it.</summary>
public interface IBulkEmailBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }
}
