namespace Crm.Channels.Attachments;

/// <summary>Content in the attachment store.</summary>
/// <param name="Key">Its key: the lower-case hex SHA-256 of the bytes.</param>
/// <param name="Length">Its length in bytes.</param>
public sealed record StoredAttachment(string Key, long Length)
{
    /// <summary>
    /// True when this call stored the bytes (false when the same bytes were kept already): only such content may be
    /// deleted again when the request that stored it is refused, since other messages may share kept content.
    /// </summary>
    public bool IsNew { get; init; }
}
