using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Tracking;
using Crm.Mail;
using MimeKit;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Security;

namespace Crm.Benchmarks.Micro;

/// <summary>What DKIM signing adds to one personalised ~17 KB campaign message: none, RSA-2048 and Ed25519, side by side.</summary>
[MemoryDiagnoser]
public class DkimBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly TrackingTokens _tokens = new(new byte[32]);
    private Campaign _campaign = null!;
    private CampaignTemplate _template = null!;
    private ClaimedRecipient _recipient = null!;
    private DkimMessageSigner? _signer;
    private string _directory = "";

    [Params("none", "rsa-2048", "ed25519")]
    public string Key { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _campaign = new Campaign(1, "Autumn news for {{ contact.name }}", BenchmarkData.CampaignBody, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null,
            "news@shop.example", "Atelier Nord", "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        _template = CampaignTemplate.Parse(_campaign.Subject, _campaign.Body);
        _recipient = new ClaimedRecipient(42, 1, 42, "anna@example.com", "Anna Berg", new Dictionary<string, string> { ["city"] = "Oslo" }, 0);
        _directory = Directory.CreateTempSubdirectory("crm-dkim-bench-").FullName;
        var path = Path.Combine(_directory, "key.pem");
        if (Key == "rsa-2048")
        {
            using var rsa = RSA.Create(2048);
            File.WriteAllText(path, rsa.ExportRSAPrivateKeyPem());
        }
        else if (Key == "ed25519")
        {
            var generator = new Ed25519KeyPairGenerator();
            generator.Init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            using var writer = new StreamWriter(path);
            new PemWriter(writer).WriteObject(new Org.BouncyCastle.Utilities.IO.Pem.PemObject("PRIVATE KEY", Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(generator.GenerateKeyPair().Private).GetDerEncoded()));
        }

        _signer = Key == "none" ? null : DkimMessageSigner.Load("shop.example", "bench", path);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark]
    public async Task<long> BuildSignAndSerialise()
    {
        var links = CampaignMessageBuilder.LinksFor(_campaign.TrackingBaseUrl, _campaign.Id, _recipient.RecipientId, _tokens, "news@shop.example");
        var message = await CampaignMessageBuilder.BuildAsync(_campaign, _template, _recipient, links, Now, null, CancellationToken.None);
        _signer?.Sign(message);
        using var sink = new MemoryStream();
        await message.WriteToAsync(sink);
        return sink.Length;
    }
}
