namespace Crm.Storage.EfCore.Entities;

/// <summary>
/// Marks the CRM's own entities, wherever their package, so database conventions (<see cref="CrmDatabaseProvider.CrmEntityTypes"/>)
/// touch them and never an integrator's entities in the same context.
/// </summary>
internal interface ICrmRecord;
