namespace Crm.Campaigns.Subscriptions;

/// <summary>The public double opt-in form (<c>POST /subscribe</c>; <c>Crm:Campaigns:Subscribe</c>).</summary>
public sealed class SubscribeOptions
{
    /// <summary>Accept subscriptions from the public form. Default false: the endpoints answer 404.</summary>
    public bool Enabled { get; set; }

    /// <summary>The tags a subscriber may choose (anything else is refused); none: the form takes no tags.</summary>
    public IList<string> AllowedTags { get; } = [];

    /// <summary>How long a confirmation link stays valid. Default 7 days.</summary>
    public TimeSpan ConfirmationLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>The confirmation mail's subject.</summary>
    public string ConfirmationSubject { get; set; } = "Please confirm your subscription";
}
