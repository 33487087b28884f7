using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>One real host process shared by the chat intake tests (each test uses its own visitors).</summary>
public sealed class ChatIntakeHostFixture : IAsyncLifetime
{
    public const string AgentKey = "agent-key-for-tests";
    public const string MarketingKey = "marketing-key-for-tests";

    public HostProcess Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await HostProcess.StartAsync(new Dictionary<string, string?>
        {
            [$"Crm:ApiKeys:{AgentKey}"] = "Agent",
            [$"Crm:ApiKeys:{MarketingKey}"] = "Marketing",
            ["Crm:RateLimiting:ChatPermitLimit"] = "1000",
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
