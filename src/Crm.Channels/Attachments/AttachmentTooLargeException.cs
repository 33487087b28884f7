namespace Crm.Channels.Attachments;

/// <summary>An attachment over a size limit: recorded as "not kept", never a reason to refuse its message.</summary>
public sealed class AttachmentTooLargeException(long limit) : Exception($"The attachment is larger than {limit} bytes.")
{
    /// <summary>The limit it broke.</summary>
    public long Limit { get; } = limit;
}
