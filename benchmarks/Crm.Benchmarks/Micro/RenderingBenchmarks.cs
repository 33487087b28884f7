using BenchmarkDotNet.Attributes;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Tracking;
using Crm.Campaigns.Endpoints;

namespace Crm.Benchmarks.Micro;

/// <summary>One personalised message: Liquid, tracking links, text alternative, MIME build and serialisation.</summary>
[MemoryDiagnoser]
public class RenderingBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private readonly TrackingTokens _tokens = new(new byte[32]);
    private Campaign _campaign = null!;
    private CampaignTemplate _template = null!;
    private ClaimedRecipient _recipient = null!;

    [GlobalSetup]
    public void Setup()
    {
        _campaign = new Campaign(1, "Autumn news for {{ contact.name }}", BenchmarkData.CampaignBody, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null,
            "news@shop.example", "Atelier Nord", "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        _template = CampaignTemplate.Parse(_campaign.Subject, _campaign.Body);
        _recipient = new ClaimedRecipient(42, 1, 42, "anna@example.com", "Anna Berg", new Dictionary<string, string> { ["city"] = "Oslo" }, 0);
    }

    [Benchmark]
    public async Task<long> RenderAndSerialiseMessage()
    {
        var links = CampaignMessageBuilder.LinksFor(_campaign.TrackingBaseUrl, _campaign.Id, _recipient.RecipientId, _tokens, "news@shop.example");
        var message = await CampaignMessageBuilder.BuildAsync(_campaign, _template, _recipient, links, Now, null, CancellationToken.None);
        using var sink = new MemoryStream();
        await message.WriteToAsync(sink);
        return sink.Length;
    }
}

/// <summary>Signing and verifying tracking tokens (every message signs two links; every pixel hit verifies one).</summary>
[MemoryDiagnoser]
public class TokenBenchmarks
{
    private readonly TrackingTokens _tokens = new(new byte[32]);
    private string _token = "";

    [GlobalSetup]
    public void Setup() => _token = _tokens.Create(7, 123_456, TrackingTokenPurpose.Open);

    [Benchmark]
    public string Sign() => _tokens.Create(7, 123_456, TrackingTokenPurpose.Open);

    [Benchmark]
    public long? Verify() => _tokens.Verify(7, _token, TrackingTokenPurpose.Open);
}
