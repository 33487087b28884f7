using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns.Sending;

/// <summary>Where the pickup-folder sender writes <c>.eml</c> files.</summary>
public sealed class PickupDirectoryOptions
{
    /// <summary>The folder; created when missing. Default <c>outbox</c>.</summary>
    [Required]
    public string Directory { get; set; } = "outbox";
}
