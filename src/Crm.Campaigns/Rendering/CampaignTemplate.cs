using Crm.Templates;
using System.Text.Encodings.Web;
using Fluid;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// A campaign's subject and body parsed as Liquid (Fluid) once, rendered per recipient inside a sandbox (no file
/// access, <see cref="TemplateLimits"/>). Values are HTML-encoded in the body, so a contact named
/// <c>&lt;script&gt;</c> cannot inject markup.
/// </summary>
internal sealed class CampaignTemplate
{
    private readonly IFluidTemplate _subject;
    private readonly IFluidTemplate _body;
    private readonly IFluidTemplate? _text;
    private readonly TemplateLimits _limits;
    private readonly TimeProvider _time;

    private CampaignTemplate(IFluidTemplate subject, IFluidTemplate body, IFluidTemplate? text, TemplateLimits limits, TimeProvider time)
    {
        _subject = subject;
        _body = body;
        _text = text;
        _limits = limits;
        _time = time;
    }

    /// <summary>Parses both templates.</summary>
    /// <param name="subject">The subject source.</param>
    /// <param name="body">The HTML body source.</param>
    /// <param name="template">The parsed template, when both parse.</param>
    /// <param name="errors">Per field (<c>subject</c>, <c>body</c>), what Liquid could not parse or a tag that is not allowed.</param>
    /// <param name="limits">What one rendering may use; <see cref="TemplateLimits.Default"/> when null.</param>
    /// <param name="time">The clock of the render time limit; the system's when null.</param>
    public static bool TryParse(string subject, string body, out CampaignTemplate? template, out IReadOnlyDictionary<string, string[]> errors, TemplateLimits? limits = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(body);
        var found = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!TemplateSandbox.TryParse(subject, out var subjectTemplate, out var subjectError))
        {
            found["subject"] = ["The subject is not a valid Liquid template: " + subjectError];
        }

        if (!TemplateSandbox.TryParse(body, out var bodyTemplate, out var bodyError))
        {
            found["body"] = ["The body is not a valid Liquid template: " + bodyError];
        }

        errors = found;
        if (found.Count > 0)
        {
            template = null;
            return false;
        }

        // The text alternative is derived from the template once, not from every rendered body: converting 8 KB
        // of HTML per recipient cost more than everything else in rendering. Should the derived text not parse
        // (Liquid split across tags), each body is converted instead.
        var text = TemplateSandbox.TryParse(HtmlToText.Convert(body), out var textTemplate, out _) ? textTemplate : null;
        template = new CampaignTemplate(subjectTemplate!, bodyTemplate!, text, limits ?? TemplateLimits.Default, time ?? TimeProvider.System);
        return true;
    }

    /// <summary>Parses templates known to be valid (checked when the campaign was created).</summary>
    /// <exception cref="FormatException">They are not.</exception>
    public static CampaignTemplate Parse(string subject, string body, TemplateLimits? limits = null, TimeProvider? time = null)
        => TryParse(subject, body, out var template, out var errors, limits, time)
            ? template!
            : throw new FormatException(string.Join("; ", errors.SelectMany(e => e.Value)));

    /// <summary>Renders the subject (plain text, one line), the HTML body and its text alternative for one recipient.</summary>
    /// <exception cref="TemplateRenderException">The template failed for this recipient's data or exceeded a limit.</exception>
    public async ValueTask<(string Subject, string Html, string Text)> RenderAsync(TemplateModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        cancellationToken.ThrowIfCancellationRequested();
        var context = new TemplateContext(TemplateSandbox.Options);
        context.SetValue("contact", model.Contact);
        context.SetValue("unsubscribe_url", model.UnsubscribeUrl);
        context.SetValue("campaign", model.Campaign);
        var budget = new TemplateSandbox.RenderBudget(_limits, _time);
        string subject;
        try
        {
            subject = await TemplateSandbox.RenderAsync(_subject, context, NullEncoder.Default, budget).ConfigureAwait(false);
        }
        catch (TemplateRenderException ex)
        {
            throw new TemplateRenderException(ex.Message, ex.InnerException, "subject");
        }

        var html = await TemplateSandbox.RenderAsync(_body, context, HtmlEncoder.Default, budget).ConfigureAwait(false);
        var text = _text is null ? HtmlToText.Convert(html) : await TemplateSandbox.RenderAsync(_text, context, NullEncoder.Default, budget).ConfigureAwait(false);
        // A header is one line: a CR or LF from a contact's data must never start a new header.
        return (subject.ReplaceLineEndings(" ").Replace('\t', ' ').Trim(), html, text);
    }
}
