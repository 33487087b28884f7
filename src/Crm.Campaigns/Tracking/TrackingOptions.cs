using System.ComponentModel.DataAnnotations;

namespace Crm.Campaigns.Tracking;

/// <summary>
/// Opens, clicks and the key their links are signed with (<c>Crm:Campaigns</c>, the same keys as before they had a
/// class of their own).
/// </summary>
public sealed class TrackingOptions : IValidatableObject
{
    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SigningKey is not null && System.Text.Encoding.UTF8.GetByteCount(SigningKey) < 32)
        {
            yield return new ValidationResult("The tracking SigningKey must be at least 32 bytes: anyone could forge opens and unsubscribes with a short one.", [nameof(SigningKey)]);
        }
    }

    /// <summary>The key that signs tracking tokens. When unset a random key is generated once and kept in the store.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Put an open pixel in campaign mail; false turns open tracking off for every campaign (privacy). Default true.</summary>
    public bool TrackOpens { get; set; } = true;

    /// <summary>Route the body's links through the click tracker; false turns click tracking off for every campaign. Default true.</summary>
    public bool TrackClicks { get; set; } = true;

    /// <summary>An open this soon after the send is a machine's (a scanner or a privacy proxy), not a person's. Default 5 seconds.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MachineOpenWindow { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long pixel hits are gathered before they are written in one transaction. Default 100 ms; zero writes as soon as possible.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan OpenFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How many pixel hits may wait to be written before the pixel slows down. Default 100,000.</summary>
    [Range(100, 10_000_000)]
    public int OpenQueueCapacity { get; set; } = 100_000;
}
