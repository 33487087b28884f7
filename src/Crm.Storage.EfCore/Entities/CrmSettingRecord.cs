namespace Crm.Storage.EfCore.Entities;

/// <summary>A row of <c>crm_settings</c>: values the library generates once and keeps (the tracking signing key).</summary>
internal sealed class CrmSettingRecord : ICrmRecord
{
    /// <summary>The name.</summary>
    public string Key { get; set; } = "";

    /// <summary>The value.</summary>
    public string Value { get; set; } = "";
}
