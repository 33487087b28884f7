namespace Crm.Campaigns.DependencyInjection;

/// <summary>Marks that <c>AddBulkEmail()</c> was called.</summary>
internal sealed class BulkEmailMarker;
