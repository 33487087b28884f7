namespace Crm.Channels.Ingestion;

/// <summary>The pipeline refused a message: it breaks a rule, named per field in <see cref="Errors"/>.</summary>
public sealed class InvalidInboundMessageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">Field name to what is wrong with it.</param>
    public InvalidInboundMessageException(IReadOnlyDictionary<string, string[]> errors)
        : base("The inbound message is invalid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
    {
        Errors = errors;
    }

    /// <summary>Field name to what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}
