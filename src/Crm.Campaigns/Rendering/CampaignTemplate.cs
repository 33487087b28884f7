using System.Text.Encodings.Web;
using Fluid;

namespace Crm.Campaigns.Rendering;

/// <summary>
/// A campaign's subject and body parsed as Liquid (Fluid) once, rendered per recipient. Values are
/// HTML-encoded in the body, so a contact named <c>&lt;script&gt;</c> cannot inject markup.
/// </summary>
public sealed class CampaignTemplate
{
    private static readonly FluidParser Parser = new();
    private static readonly TemplateOptions Options = CreateOptions();

    private readonly IFluidTemplate _subject;
    private readonly IFluidTemplate _body;
    private readonly IFluidTemplate? _text;

    private CampaignTemplate(IFluidTemplate subject, IFluidTemplate body, IFluidTemplate? text, bool bodyHasUnsubscribeLink)
    {
        _subject = subject;
        _body = body;
        _text = text;
        BodyHasUnsubscribeLink = bodyHasUnsubscribeLink;
    }

    /// <summary>True when the body places <c>{{ unsubscribe_url }}</c> itself; otherwise a footer link is added.</summary>
    public bool BodyHasUnsubscribeLink { get; }

    /// <summary>Parses both templates.</summary>
    /// <param name="subject">The subject source.</param>
    /// <param name="body">The HTML body source.</param>
    /// <param name="template">The parsed template, when both parse.</param>
    /// <param name="errors">Per field (<c>subject</c>, <c>body</c>), what Liquid could not parse.</param>
    public static bool TryParse(string subject, string body, out CampaignTemplate? template, out IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(subject);
        ArgumentNullException.ThrowIfNull(body);
        var found = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!Parser.TryParse(subject, out var subjectTemplate, out var subjectError))
        {
            found["subject"] = ["The subject is not a valid Liquid template: " + subjectError];
        }

        if (!Parser.TryParse(body, out var bodyTemplate, out var bodyError))
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
        var text = Parser.TryParse(HtmlToText.Convert(body), out var textTemplate, out _) ? textTemplate : null;
        template = new CampaignTemplate(subjectTemplate, bodyTemplate, text, body.Contains("unsubscribe_url", StringComparison.Ordinal));
        return true;
    }

    /// <summary>Parses templates known to be valid (checked when the campaign was created).</summary>
    /// <exception cref="FormatException">They are not.</exception>
    public static CampaignTemplate Parse(string subject, string body)
        => TryParse(subject, body, out var template, out var errors)
            ? template!
            : throw new FormatException(string.Join("; ", errors.SelectMany(e => e.Value)));

    /// <summary>Renders the subject (plain text, one line), the HTML body and its text alternative for one recipient.</summary>
    public async ValueTask<(string Subject, string Html, string Text)> RenderAsync(TemplateModel model, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        cancellationToken.ThrowIfCancellationRequested();
        var context = new TemplateContext(Options);
        context.SetValue("contact", model.Contact);
        context.SetValue("unsubscribe_url", model.UnsubscribeUrl);
        context.SetValue("campaign", model.Campaign);
        var subject = await _subject.RenderAsync(context, NullEncoder.Default).ConfigureAwait(false);
        var html = await _body.RenderAsync(context, HtmlEncoder.Default).ConfigureAwait(false);
        var text = _text is null ? HtmlToText.Convert(html) : await _text.RenderAsync(context, NullEncoder.Default).ConfigureAwait(false);
        // A header is one line: a CR or LF from a contact's data must never start a new header.
        return (subject.ReplaceLineEndings(" ").Replace('\t', ' ').Trim(), html, text);
    }

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions { MaxSteps = 100_000, MaxRecursion = 20 };
        return options;
    }
}

/// <summary>What a template sees: <c>contact</c> (name, email, phone, attributes, and each attribute by name), <c>unsubscribe_url</c>, <c>campaign</c> (id).</summary>
public sealed class TemplateModel
{
    /// <summary>Builds the model of one recipient.</summary>
    public TemplateModel(long campaignId, string email, string? name, IReadOnlyDictionary<string, string> attributes, string unsubscribeUrl)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var contact = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in attributes)
        {
            contact[key] = value;
        }

        contact["name"] = name ?? "";
        contact["email"] = email;
        contact["attributes"] = attributes.ToDictionary(a => a.Key, a => (object?)a.Value, StringComparer.Ordinal);
        Contact = contact;
        Campaign = new Dictionary<string, object?> { ["id"] = campaignId };
        UnsubscribeUrl = unsubscribeUrl;
    }

    /// <summary>The contact's fields.</summary>
    public IReadOnlyDictionary<string, object?> Contact { get; }

    /// <summary>The campaign's fields.</summary>
    public IReadOnlyDictionary<string, object?> Campaign { get; }

    /// <summary>The recipient's own unsubscribe link.</summary>
    public string UnsubscribeUrl { get; }
}
