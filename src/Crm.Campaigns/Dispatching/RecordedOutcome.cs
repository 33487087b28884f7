using Crm.Campaigns.Campaigns;

namespace Crm.Campaigns.Dispatching;

/// <summary>How one recipient's attempt ended, and whether the template (not the transport) was the cause.</summary>
internal sealed record RecordedOutcome(SendAttempt Attempt, bool RenderFailed = false);
