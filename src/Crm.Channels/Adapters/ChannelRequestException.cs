using Microsoft.AspNetCore.Http;

namespace Crm.Channels.Adapters;

/// <summary>
/// An adapter refuses a request. The endpoint answers an RFC 7807 problem with <see cref="StatusCode"/>,
/// <see cref="Title"/> and <see cref="Detail"/>; nothing is stored.
/// </summary>
public sealed class ChannelRequestException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The 4xx status to answer.</param>
    /// <param name="title">A short summary of the problem, the same for every occurrence.</param>
    /// <param name="detail">What is wrong with this request; shown to the caller, so never a secret.</param>
    /// <param name="errors">Per-field validation errors, for 400 answers.</param>
    public ChannelRequestException(int statusCode, string title, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
        : base($"{title}: {detail}")
    {
        if (statusCode is < 400 or > 499)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A refused request is answered with a 4xx status.");
        }

        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Errors = errors;
    }

    /// <summary>The 4xx status to answer.</summary>
    public int StatusCode { get; }

    /// <summary>A short summary of the problem.</summary>
    public string Title { get; }

    /// <summary>What is wrong with this request.</summary>
    public string Detail { get; }

    /// <summary>Per-field validation errors, when the problem is a validation problem.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; }

    /// <summary>400: the body could not be read as the channel's format.</summary>
    public static ChannelRequestException Malformed(string detail) => new(StatusCodes.Status400BadRequest, "Malformed request", detail);

    /// <summary>400 with per-field errors.</summary>
    public static ChannelRequestException Invalid(IReadOnlyDictionary<string, string[]> errors)
        => new(StatusCodes.Status400BadRequest, "Invalid message", "One or more fields are invalid.", errors);

    /// <summary>413: the body is over the channel's size limit.</summary>
    public static ChannelRequestException TooLarge(long limitBytes) => new(StatusCodes.Status413PayloadTooLarge, "Request too large", $"The request body is over the limit of {limitBytes} bytes.");

    /// <summary>415: the body is not in a format the channel reads.</summary>
    public static ChannelRequestException UnsupportedMediaType(string expected) => new(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"Send the body as {expected}.");
}
