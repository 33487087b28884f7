using Crm.Channels.Tickets;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Channels.Replies;

/// <summary>
/// How one <c>AddReplySender&lt;TSender&gt;()</c> is resolved: the integrator's own registration of
/// <typeparamref name="TSender"/> (a typed <see cref="HttpClient"/> client, a scoped service) is honoured by resolving
/// it in a scope per call, because the outbox lives for the application and would otherwise keep one instance — and
/// its client's handler — for ever; a sender nobody registered is made once, as before.
/// </summary>
internal sealed class ReplySenderRegistration<TSender>(IServiceProvider services)
    where TSender : class, IChannelReplySender
{
    public IChannelReplySender Sender { get; } = services.GetService<IServiceProviderIsService>()?.IsService(typeof(TSender)) == true
        ? new ScopedReplySender(services.GetRequiredService<IServiceScopeFactory>())
        : ActivatorUtilities.CreateInstance<TSender>(services);

    private sealed class ScopedReplySender : IChannelReplySender
    {
        private readonly IServiceScopeFactory _scopes;

        public ScopedReplySender(IServiceScopeFactory scopes)
        {
            _scopes = scopes;
            Channel = Use(sender => sender.Channel);
        }

        public string Channel { get; }

        public string? Refuse(TicketDetails ticket, ReplyTemplate? template, DateTimeOffset now) => Use(sender => sender.Refuse(ticket, template, now));

        public string? RefuseAttachments(TicketDetails ticket, IReadOnlyList<AttachmentInfo> files) => Use(sender => sender.RefuseAttachments(ticket, files));

        public string NewMessageId(TicketDetails ticket) => Use(sender => sender.NewMessageId(ticket));

        public async Task<ReplyDelivery> SendAsync(TicketDetails ticket, TicketMessage reply, CancellationToken cancellationToken)
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                IChannelReplySender sender = scope.ServiceProvider.GetRequiredService<TSender>();
                return await sender.SendAsync(ticket, reply, cancellationToken).ConfigureAwait(false);
            }
        }

        private T Use<T>(Func<IChannelReplySender, T> call)
        {
            using var scope = _scopes.CreateScope();
            return call(scope.ServiceProvider.GetRequiredService<TSender>());
        }
    }
}
