namespace Crm.Channels.Attachments;

/// <summary>Content in the attachment store.</summary>
/// <param name="Key">Its key: the lower-case hex SHA-256 of the bytes.</param>
/// <param name="Length">Its length in bytes.</param>
public sealed record StoredAttachment(string Key, long Length);
