namespace Crm.Campaigns.Rendering;

/// <summary>
/// A template could not be rendered for one recipient: a filter threw for their data (<c>divided_by: 0</c>) or a
/// <see cref="TemplateLimits">limit</see> was exceeded. It fails that recipient only.
/// </summary>
public sealed class TemplateRenderException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong, readable by the person who wrote the template.</param>
    /// <param name="innerException">What Liquid threw, if anything.</param>
    /// <param name="field">The template that failed: <c>subject</c> or <c>body</c>.</param>
    public TemplateRenderException(string message, Exception? innerException = null, string field = "body")
        : base(message, innerException)
    {
        Field = field;
    }

    /// <summary>The template that failed: <c>subject</c> or <c>body</c>.</summary>
    public string Field { get; }
}
