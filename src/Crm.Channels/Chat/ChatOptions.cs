using System.ComponentModel.DataAnnotations;

namespace Crm.Channels.Chat;

/// <summary>Limits of the website chat channel.</summary>
public sealed class ChatOptions
{
    /// <summary>The longest message accepted, in characters. Default 10,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxMessageLength { get; set; } = 10_000;

    /// <summary>The largest request body accepted, in bytes. Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>The longest visitor name accepted. Default 200.</summary>
    [Range(1, 256)]
    public int MaxNameLength { get; set; } = 200;
}
