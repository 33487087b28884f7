using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Crm.Campaigns.Texts;

/// <summary>
/// The words recipients see: the footer added to campaign messages that carry no unsubscribe link of their own, and
/// the public pages (unsubscribe, subscription confirmation). Plain text, HTML-encoded where it is used; English by
/// default. Bind <c>Crm:Campaigns:Texts</c> or call <c>AddBulkEmail().ConfigureRecipientTexts(...)</c>; a host with its
/// own branding renders the whole page with <see cref="Layout"/>.
/// </summary>
public sealed class RecipientTexts
{
    /// <summary>The texts as shipped.</summary>
    internal static RecipientTexts English { get; } = new();

    /// <summary>The pages' <c>lang</c> attribute.</summary>
    [Required, RegularExpression("^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
    public string Language { get; set; } = "en";

    /// <summary>The footer's sentence before the unsubscribe link.</summary>
    [Required]
    public string Footer { get; set; } = "You receive this because you are a client of ours.";

    /// <summary>The footer's unsubscribe link text.</summary>
    [Required]
    public string UnsubscribeLink { get; set; } = "Unsubscribe";

    /// <summary>The title of a page reached by a link that is not valid (altered, expired, of another campaign).</summary>
    [Required]
    public string LinkNotValidTitle { get; set; } = "Link not valid";

    /// <summary>The unsubscribe page for a link that is not valid.</summary>
    [Required]
    public string UnsubscribeLinkNotValid { get; set; } = "This unsubscribe link is not valid. Use the link from the latest email you received.";

    /// <summary>The unsubscribe page's title.</summary>
    [Required]
    public string UnsubscribeTitle { get; set; } = "Unsubscribe";

    /// <summary>The unsubscribe page's question (it only asks: link scanners must not unsubscribe anyone).</summary>
    [Required]
    public string UnsubscribeQuestion { get; set; } = "Do you want to stop receiving marketing email from us?";

    /// <summary>The unsubscribe page's button.</summary>
    [Required]
    public string UnsubscribeButton { get; set; } = "Unsubscribe";

    /// <summary>The title after unsubscribing.</summary>
    [Required]
    public string UnsubscribedTitle { get; set; } = "Unsubscribed";

    /// <summary>The page after unsubscribing.</summary>
    [Required]
    public string Unsubscribed { get; set; } = "You are unsubscribed. You will not receive marketing email from us again.";

    /// <summary>The title of the subscription form's answer when a field is wrong (the reasons follow).</summary>
    [Required]
    public string FormErrorsTitle { get; set; } = "Please check the form";

    /// <summary>The title after the subscription form was sent.</summary>
    [Required]
    public string ConfirmationSentTitle { get; set; } = "Check your inbox";

    /// <summary>The page after the subscription form was sent.</summary>
    [Required]
    public string ConfirmationSent { get; set; } = "We sent you an email. Click the link in it to confirm your subscription.";

    /// <summary>The confirmation page for a link that is not valid or expired.</summary>
    [Required]
    public string ConfirmationLinkNotValid { get; set; } = "This confirmation link is not valid or has expired. Subscribe again to get a new one.";

    /// <summary>The confirmation page's title.</summary>
    [Required]
    public string ConfirmTitle { get; set; } = "Confirm your subscription";

    /// <summary>The confirmation page's button.</summary>
    [Required]
    public string ConfirmButton { get; set; } = "Yes, subscribe me";

    /// <summary>The title after confirming.</summary>
    [Required]
    public string SubscribedTitle { get; set; } = "Subscribed";

    /// <summary>The page after confirming.</summary>
    [Required]
    public string Subscribed { get; set; } = "Thank you: you are subscribed.";

    /// <summary>
    /// Renders a whole public page from its parts (the body is HTML, already encoded); null for the built-in page.
    /// Keep the body as given: its buttons post the forms that unsubscribe and confirm.
    /// </summary>
    public Func<RecipientPage, string>? Layout { get; set; }

    /// <summary>The page as <see cref="Layout"/> renders it, or the built-in page.</summary>
    internal string Page(string title, string bodyHtml)
    {
        var page = new RecipientPage(title, bodyHtml, Language);
        return Layout is { } layout ? layout(page) : BuiltIn(page);
    }

    /// <summary>One paragraph of plain text, encoded.</summary>
    internal static string Paragraph(string text, string? testId = null)
        => testId is null ? $"<p>{WebUtility.HtmlEncode(text)}</p>" : $"<p data-testid=\"{testId}\">{WebUtility.HtmlEncode(text)}</p>";

    private static string BuiltIn(RecipientPage page) => $$"""
        <!doctype html>
        <html lang="{{WebUtility.HtmlEncode(page.Language)}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex"><title>{{WebUtility.HtmlEncode(page.Title)}}</title>
        <style>body{font-family:system-ui,sans-serif;background:#f7f4ee;color:#14213d;display:grid;place-items:center;min-height:100vh;margin:0}
        main{background:#fff;padding:2.5rem;border-top:3px solid #b08d57;max-width:28rem;box-shadow:0 2px 12px rgba(20,33,61,.08)}
        h1{font-family:Georgia,serif;font-weight:400}button{background:#14213d;color:#fff;border:0;padding:.7rem 1.4rem;cursor:pointer}</style>
        </head><body><main><h1>{{WebUtility.HtmlEncode(page.Title)}}</h1>{{page.BodyHtml}}</main></body></html>
        """;
}

/// <summary>A public page to render: its title (plain text), its body (HTML, encoded) and the language.</summary>
/// <param name="Title">The title, plain text.</param>
/// <param name="BodyHtml">The body, HTML.</param>
/// <param name="Language">The <c>lang</c> attribute.</param>
public sealed record RecipientPage(string Title, string BodyHtml, string Language);
