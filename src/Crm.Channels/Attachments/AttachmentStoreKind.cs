namespace Crm.Channels.Attachments;

/// <summary>Where attachment bytes are kept.</summary>
public enum AttachmentStoreKind
{
    /// <summary>Files in <see cref="AttachmentOptions.Directory"/>: simplest for one host.</summary>
    FileSystem,

    /// <summary>The CRM's database: every host on it shares the files, with no extra server.</summary>
    Database,
}
