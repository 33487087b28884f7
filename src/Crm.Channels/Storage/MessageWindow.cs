using Crm.Channels.Tickets;

namespace Crm.Channels.Storage;

/// <summary>
/// Which of a ticket's messages to read: the latest <see cref="Limit"/>, or those before a message (scrolling back),
/// or only those stored after a message id (what changed since the last look). A ticket with thousands of long
/// messages is read a page at a time, never whole.
/// </summary>
/// <param name="Limit">The most messages to read.</param>
public sealed record MessageWindow(int Limit)
{
    /// <summary>The default page: the latest 200 messages.</summary>
    public static MessageWindow Latest { get; } = new(200);

    /// <summary>Only messages that come before this one in the conversation (received earlier, or at once with a lower id).</summary>
    public long? BeforeMessageId { get; init; }

    /// <summary>Only messages stored after this id (new ones), oldest first.</summary>
    public long? AfterMessageId { get; init; }

    /// <summary>The window of <paramref name="details"/> (all of a ticket's messages, in conversation order): for stores that read whole tickets.</summary>
    public TicketDetails Apply(TicketDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        IEnumerable<TicketMessage> messages = details.Messages;
        if (AfterMessageId is { } after)
        {
            return details with { Messages = messages.Where(m => m.Id > after).Take(Limit).ToList() };
        }

        if (BeforeMessageId is { } before)
        {
            var cursor = details.Messages.ToList().FindIndex(m => m.Id == before);
            messages = cursor < 0 ? [] : details.Messages.Take(cursor);
        }

        var list = messages.ToList();
        return details with { Messages = list.Skip(Math.Max(0, list.Count - Limit)).ToList(), HasOlderMessages = list.Count > Limit };
    }
}
