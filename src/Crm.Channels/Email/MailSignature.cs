using Crm.Campaigns;
using Crm.Templates;
using Fluid;

namespace Crm.Channels.Email;

/// <summary>An inbox's signature: Liquid with <c>agent.name</c>, <c>inbox.name</c> and <c>inbox.address</c>, in the campaigns' sandbox.</summary>
internal static class MailSignature
{
    /// <summary>A signature is a few lines: these bounds leave room for any real one and stop a runaway loop at once.</summary>
    private static readonly TemplateLimits Limits = new(MaxSteps: 10_000, MaxOutputLength: 10_000, MaxRangeLength: 100, Timeout: TimeSpan.FromMilliseconds(500));

    public static bool TryParse(string source, out IFluidTemplate? template, out string? error) => TemplateSandbox.TryParse(source, out template, out error);

    /// <summary>Renders the signature as plain text for one reply.</summary>
    /// <exception cref="Crm.Campaigns.Rendering.TemplateRenderException">The template failed or passed a limit.</exception>
    public static async ValueTask<string> RenderAsync(IFluidTemplate template, string? agentName, EmailInbox inbox, TimeProvider time)
    {
        var context = new TemplateContext(TemplateSandbox.Options);
        context.SetValue("agent", new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = agentName ?? "" });
        context.SetValue("inbox", new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = inbox.DisplayName, ["address"] = inbox.Address });
        var text = await TemplateSandbox.RenderAsync(template, context, NullEncoder.Default, new TemplateSandbox.RenderBudget(Limits, time)).ConfigureAwait(false);
        return text.Trim();
    }
}
