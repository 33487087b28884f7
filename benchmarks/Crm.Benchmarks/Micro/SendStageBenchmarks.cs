using System.Diagnostics;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Crm.Benchmarks.Harness;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Rendering;
using Crm.Campaigns.Segments;
using Crm.Campaigns.Sending;
using Crm.Campaigns.Tracking;
using Crm.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Benchmarks.Micro;

/// <summary>
/// The send path one stage at a time, on one personalised ~17 KB campaign message, so a regression shows where it is:
/// render (Liquid, links, the header fields, the body's two parts quoted-printable encoded into its frozen bytes), encode
/// (write the message for the wire, header block and frozen body, as the SMTP connection does), sign (DKIM RSA-2048 over the built message) and SMTP write (the
/// campaign sender on one open connection to a local <c>smtp-sink</c>, with MailKit's send path beside it as the
/// reference it replaced). The ledger's stage is <see cref="LedgerBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class SendStageBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private readonly TrackingTokens _tokens = new(new byte[32]);
    private Campaign _campaign = null!;
    private CampaignTemplate _template = null!;
    private ClaimedRecipient _recipient = null!;
    private MimeMessage _built = null!;
    private MimeMessage _toSign = null!;
    private DkimMessageSigner _signer = null!;
    private string _directory = "";
    private Process? _sink;
    private SmtpClient? _smtp;
    private SmtpCampaignSender? _sender;
    private MimeMessage _toEncode = null!;
    private MimeMessage _frozen = null!;
    private readonly MemoryStream _wire = new(32 * 1024);

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _campaign = new Campaign(1, "Autumn news for {{ contact.name }}", BenchmarkData.CampaignBody, SegmentCriteria.All, CampaignStatus.Sending, Now, Now, Now, null,
            "news@shop.example", "Atelier Nord", "https://crm.example", new CampaignStats(1, 0, 0, 0, 0, 0));
        _template = CampaignTemplate.Parse(_campaign.Subject, _campaign.Body);
        _recipient = new ClaimedRecipient(42, 1, 42, "anna@example.com", "Anna Berg", new Dictionary<string, string> { ["city"] = "Oslo" }, 0);
        _built = await RenderAsync();
        _toSign = await RenderAsync();
        _toEncode = await RenderAsync();
        _frozen = await RenderAsync();
        _directory = Directory.CreateTempSubdirectory("crm-stage-bench-").FullName;
        var key = Path.Combine(_directory, "key.pem");
        using (var rsa = RSA.Create(2048))
        {
            await File.WriteAllTextAsync(key, rsa.ExportRSAPrivateKeyPem());
        }

        _signer = DkimMessageSigner.Load("shop.example", "bench", key);
        var (sink, _) = await ExternalTools.EnsurePostfixToolsAsync();
        var port = ExternalTools.FreePort();
        _sink = ExternalTools.StartSink(sink, port);
        await ExternalTools.WaitForPortAsync(port);
        // As SmtpCampaignSender connects: Nagle off, or every message waits for a delayed ACK (about 40 ms).
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync("127.0.0.1", port);
        _smtp = new SmtpClient();
        await _smtp.ConnectAsync(socket, "127.0.0.1", port, SecureSocketOptions.None);
        _sender = new SmtpCampaignSender(Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, MaxConnections = 1 }), NullLogger<SmtpCampaignSender>.Instance);
        await _sender.SendAsync(_frozen, ReturnPath, CancellationToken.None);
    }

    private static readonly MailboxAddress ReturnPath = new("", "bounces@shop.example");

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (_sender is not null)
        {
            await _sender.DisposeAsync();
        }

        if (_smtp is not null)
        {
            await _smtp.DisconnectAsync(quit: true);
            _smtp.Dispose();
        }

        _sink?.Kill(entireProcessTree: true);
        _sink?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "render (and freeze the body)")]
    public async Task<MimeMessage> Render() => await RenderAsync();

    [Benchmark(Description = "encode (write the message for the wire)")]
    public long Encode()
    {
        _wire.SetLength(0);
        return SerializedBody.TryWriteMessage(_toEncode, SerializedBody.WireFormat, _wire) ? _wire.Length : throw new InvalidOperationException("Not frozen.");
    }

    [Benchmark(Description = "sign (DKIM RSA-2048)")]
    public MimeMessage Sign()
    {
        _toSign.Headers.RemoveAll(HeaderId.DkimSignature);
        _signer.Sign(_toSign);
        return _toSign;
    }

    [Benchmark(Description = "SMTP write (campaign sender, open connection, smtp-sink)")]
    public Task SmtpWrite() => _sender!.SendAsync(_frozen, ReturnPath, CancellationToken.None);

    [Benchmark(Description = "SMTP write (reference: MailKit's send path, open connection, smtp-sink)")]
    public Task<string> SmtpWriteMailKit() => _smtp!.SendAsync(_frozen);

    private ValueTask<MimeMessage> RenderAsync()
    {
        var links = CampaignMessageBuilder.LinksFor(_campaign.TrackingBaseUrl, _campaign.Id, _recipient.RecipientId, _tokens, "news@shop.example");
        return CampaignMessageBuilder.BuildAsync(_campaign, _template, _recipient, links, Now, null, CancellationToken.None);
    }
}
