using Crm.Channels.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Samples.Telegram;

/// <summary>Adds the Telegram channel to <c>AddCrmChannels()</c>.</summary>
public static class TelegramChannelExtensions
{
    /// <summary>Reads updates at <c>POST /tickets?channel=telegram</c> and answers through the Bot API; options from <paramref name="section"/>.</summary>
    public static ICrmChannelsBuilder AddTelegram(this ICrmChannelsBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return builder.AddTelegram(section.Bind);
    }

    /// <summary>Reads updates at <c>POST /tickets?channel=telegram</c> and answers through the Bot API.</summary>
    public static ICrmChannelsBuilder AddTelegram(this ICrmChannelsBuilder builder, Action<TelegramOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TelegramOptions>().Configure(configure).ValidateDataAnnotations().ValidateOnStart();
        // A typed client: the outbox resolves the sender per send, with this client's timeout.
        builder.Services.AddHttpClient<TelegramReplySender>(client => client.Timeout = TimeSpan.FromSeconds(15));
        return builder.AddAdapter<TelegramAdapter>().AddReplySender<TelegramReplySender>();
    }
}
