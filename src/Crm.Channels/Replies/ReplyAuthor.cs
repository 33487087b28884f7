using Microsoft.AspNetCore.Http;

namespace Crm.Channels.Replies;

/// <summary>
/// Names the author of an agent's reply from the request that posts it: by default the signed-in name
/// (<see cref="System.Security.Principal.IIdentity.Name"/>; an API key's <c>Agent</c>), replaced with
/// <c>UseReplyAuthor(...)</c> — a display name claim, a lookup in the host's own staff directory.
/// </summary>
internal sealed class ReplyAuthor(Func<HttpContext, string?> authorOf)
{
    public static ReplyAuthor LoginName { get; } = new(context => context.User.Identity?.Name);

    /// <summary>The author for this request, trimmed; null when the hook names nobody.</summary>
    public string? Of(HttpContext context) => authorOf(context) is { } name && !string.IsNullOrWhiteSpace(name) ? name.Trim() : null;
}
