using System.Diagnostics;
using System.Globalization;
using Crm.Benchmarks.Micro;
using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Dispatching;
using Crm.Campaigns.Sending;
using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Crm.Campaigns.Management;

namespace Crm.Benchmarks.Harness;

/// <summary>
/// The end-to-end send benchmark: N contacts, one ~8 KB personalised campaign, sent by the real dispatcher and
/// SMTP sender to Postfix's smtp-sink on loopback; then, on the same sink, smtp-source sending as many messages of
/// the same size (the machine's practical limit) and a plain pooled-MailKit loop with no ledger.
/// </summary>
public static class SendHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--defaults"))
        {
            var recipients = args.SkipWhile(a => a != "--recipients").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(40_000);
            var runs = args.SkipWhile(a => a != "--runs").Skip(1).Select(a => int.Parse(a, CultureInfo.InvariantCulture)).FirstOrDefault(3);
            return await DefaultsHarness.RunAsync(recipients, runs, timeline: args.Contains("--timeline"));
        }

        var options = HarnessOptions.Parse(args);
        var (sinkExecutable, sourceExecutable) = await ExternalTools.EnsurePostfixToolsAsync();
        var port = ExternalTools.FreePort();
        using var sink = ExternalTools.StartSink(sinkExecutable, port);
        try
        {
            await ExternalTools.WaitForPortAsync(port);
            Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; sink on 127.0.0.1:{port}");
            Console.WriteLine($"Options: {options}");

            var (rate, peakWorkingSet, messageBytes) = await RunCampaignAsync(options, port);
            var sourceElapsed = await ExternalTools.RunAsync(sourceExecutable,
                ["-d", "-s", "20", "-m", options.Recipients.ToString(CultureInfo.InvariantCulture), "-l", messageBytes.ToString(CultureInfo.InvariantCulture),
                 "-f", "news@shop.example", "-t", "someone@example.com", $"127.0.0.1:{port}"], TimeSpan.FromMinutes(30));
            var sourceRate = options.Recipients / sourceElapsed.TotalSeconds;
            var mailKitRate = options.SkipMailKitLoop ? double.NaN : await RunMailKitLoopAsync(options, port, messageBytes);
            var rawRate = options.SkipMailKitLoop ? double.NaN : await RunPipelinedSocketLoopAsync(options, port, messageBytes);

            Console.WriteLine();
            Console.WriteLine("| run | messages | msg/s | vs smtp-source |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Console.WriteLine($"| Crm dispatcher + ledger ({options.Provider}{(options.Instances > 1 ? $", {options.Instances} instances" : "")}{(options.NullTransport ? ", null transport" : "")}) | {options.Recipients} | {rate:F0} | {rate / sourceRate:F2} |");
            if (!double.IsNaN(mailKitRate))
            {
                Console.WriteLine($"| pooled MailKit loop, no ledger ({options.Connections} connections) | {options.Recipients} | {mailKitRate:F0} | {mailKitRate / sourceRate:F2} |");
                Console.WriteLine($"| pipelined socket loop, pre-serialised message, no MailKit ({options.Connections} connections) | {options.Recipients} | {rawRate:F0} | {rawRate / sourceRate:F2} |");
            }

            Console.WriteLine($"| smtp-source -d -s 20 (same sink, {messageBytes} bytes) | {options.Recipients} | {sourceRate:F0} | 1.00 |");
            Console.WriteLine();
            Console.WriteLine($"Peak working set while sending: {peakWorkingSet / 1024 / 1024} MiB; message size {messageBytes} bytes");
            return 0;
        }
        finally
        {
            sink.Kill(entireProcessTree: true);
        }
    }

    private static async Task<(double Rate, long PeakWorkingSet, int MessageBytes)> RunCampaignAsync(HarnessOptions options, int smtpPort)
    {
        var directory = Directory.CreateTempSubdirectory("crm-bench-send-");
        string? postgresDatabase = null;
        try
        {
            if (options.Provider == "postgres")
            {
                postgresDatabase = await BenchmarkPostgres.CreateDatabaseAsync();
            }
            else if (options.Instances > 1)
            {
                throw new ArgumentException("Several instances share a database only on PostgreSQL: add --provider postgres.");
            }

            // Each instance is a container of its own (own connection pool, own dispatcher identity) on the shared database.
            var providers = Enumerable.Range(0, options.Instances).Select(_ => BuildInstance(options, smtpPort, directory, postgresDatabase)).ToList();
            var provider = providers[0];
            await provider.MigrateCrmDatabaseAsync();

            var seeding = Stopwatch.StartNew();
            await SeedContactsAsync(provider, options.Recipients, options.Provider, options.Domains);
            Console.WriteLine($"Seeded {options.Recipients} contacts in {seeding.Elapsed.TotalSeconds:F1} s");

            var composer = provider.GetRequiredService<CampaignComposer>();
            var store = provider.GetRequiredService<ICampaignStore>();
            var dispatcher = provider.GetRequiredService<CampaignDispatcher>();
            var messageBytes = await MeasureMessageSizeAsync(composer);

            // The dispatcher runs as it does in a host: its own pipelined loop.
            await dispatcher.StartAsync(CancellationToken.None);
            foreach (var other in providers.Skip(1))
            {
                await other.GetRequiredService<CampaignDispatcher>().StartAsync(CancellationToken.None);
            }
            await WarmUpAsync(composer, store, Math.Min(options.WarmUp, options.Recipients));

            GC.Collect();
            using var sampler = new PeakMemorySampler();
            var watch = Stopwatch.StartNew();
            var (campaign, _) = await composer.CreateAsync(new CreateCampaignRequest { Subject = "Autumn news for {{ contact.name }}", Body = BenchmarkData.CampaignBody }, "https://crm.example", CancellationToken.None);
            var lastReport = TimeSpan.Zero;
            while ((await store.GetAsync(campaign!.Id, CancellationToken.None))!.Status != CampaignStatus.Completed)
            {
                await Task.Delay(20);
                if (watch.Elapsed - lastReport > TimeSpan.FromSeconds(10))
                {
                    lastReport = watch.Elapsed;
                    var stats = (await store.GetAsync(campaign!.Id, CancellationToken.None))!.Stats;
                    Console.WriteLine($"  {watch.Elapsed.TotalSeconds:F0} s: {stats.Sent} sent");
                }
            }

            watch.Stop();
            foreach (var instance in providers)
            {
                await instance.GetRequiredService<CampaignDispatcher>().StopAsync(CancellationToken.None);
            }
            var done = (await store.GetAsync(campaign!.Id, CancellationToken.None))!.Stats;
            if (done.Sent != options.Recipients)
            {
                throw new InvalidOperationException($"Expected {options.Recipients} sent, the ledger says {done.Sent} (failed {done.Failed}).");
            }

            var result = (options.Recipients / watch.Elapsed.TotalSeconds, sampler.Peak, messageBytes);
            foreach (var instance in providers)
            {
                await instance.DisposeAsync();
            }

            return result;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
            if (postgresDatabase is not null)
            {
                await BenchmarkPostgres.DropDatabaseAsync(postgresDatabase);
            }
        }
    }

    private static ServiceProvider BuildInstance(HarnessOptions options, int smtpPort, DirectoryInfo directory, string? postgresDatabase)
    {
        var services = new ServiceCollection().AddLogging();
        if (postgresDatabase is not null)
        {
            services.AddCrmEntityFrameworkStores(o => o.UseCrmPostgres(postgresDatabase));
        }
        else
        {
            services.AddCrmEntityFrameworkStores(o => o.UseCrmSqlite($"Data Source={Path.Combine(directory.FullName, "crm.db")}"));
        }

        services.AddBulkEmail(o =>
            {
                o.FromAddress = "news@shop.example";
                o.PublicBaseUrl = "https://crm.example";
            })
            .ConfigureTracking(o => o.SigningKey = "benchmark-signing-key-of-at-least-32-bytes")
            .ConfigureDispatcher(o =>
            {
                o.BatchSize = options.BatchSize;
                o.PollInterval = TimeSpan.FromMilliseconds(20);
                if (options.Domains > 1)
                {
                    // A campaign over many domains with one of them paced as a large provider would be: the pacing must
                    // not slow the others.
                    o.Domains["bench0.example"] = new Crm.Campaigns.Dispatching.DomainLimit { MaxConcurrency = 10, MessagesPerSecond = 20 };
                }
            })
            .UseSmtp(o =>
            {
                o.Host = "127.0.0.1";
                o.Port = smtpPort;
                o.Security = SmtpSecurity.None;
                o.MaxConnections = options.Connections;
                o.MessagesPerConnection = 1_000_000;
            });
        if (options.NullTransport)
        {
            // The ceiling of everything but SMTP: rendering, ledger and dispatch, with a transport that accepts at once.
            services.AddSingleton<ICampaignSender, NullSender>();
        }

        return services.BuildServiceProvider();
    }

    /// <summary>
    /// A long-running host has long since tiered up its JIT code; a fresh process has not. A first campaign, cancelled
    /// after <paramref name="messages"/> messages, brings the process to that steady state before the measured run.
    /// </summary>
    private static async Task WarmUpAsync(CampaignComposer composer, ICampaignStore store, int messages)
    {
        if (messages <= 0)
        {
            return;
        }

        var watch = Stopwatch.StartNew();
        var (warmUp, _) = await composer.CreateAsync(new CreateCampaignRequest { Subject = "Warm-up for {{ contact.name }}", Body = BenchmarkData.CampaignBody }, "https://crm.example", CancellationToken.None);
        while ((await store.GetAsync(warmUp!.Id, CancellationToken.None))!.Stats.Sent < messages)
        {
            await Task.Delay(20);
        }

        await store.TransitionAsync(warmUp.Id, CampaignCommand.Cancel, null, DateTimeOffset.UtcNow, CancellationToken.None);
        // Let the batches in flight finish and be released before measuring.
        await Task.Delay(1000);
        Console.WriteLine($"Warm-up: {messages}+ messages in {watch.Elapsed.TotalSeconds:F1} s (not measured)");
    }

    private static async Task<double> RunMailKitLoopAsync(HarnessOptions options, int smtpPort, int messageBytes)
    {
        await using var sender = new SmtpCampaignSender(Microsoft.Extensions.Options.Options.Create(new SmtpOptions
        {
            Host = "127.0.0.1",
            Port = smtpPort,
            Security = SmtpSecurity.None,
            MaxConnections = options.Connections,
            MessagesPerConnection = 1_000_000,
        }), Microsoft.Extensions.Logging.Abstractions.NullLogger<SmtpCampaignSender>.Instance);
        // Built and encoded per send: the same encoding work (quoted-printable) as the dispatcher's.
        var text = ReferenceText(messageBytes);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Recipients), new ParallelOptions { MaxDegreeOfParallelism = options.Connections }, async (i, ct) =>
            await sender.SendAsync(ReferenceMessage(text, $"r{i}@example.com"), null, ct));
        return options.Recipients / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// What SMTP itself costs without MailKit: one message serialised and dot-stuffed once, sent over plain sockets with
    /// MAIL, RCPT and DATA pipelined in one write (RFC 2920) and the content in a second — two round trips a message,
    /// where MailKit's DATA takes three. A reference for how much of the send path is the SMTP library; not a sender
    /// (no TLS, no authentication, replies only checked for their class).
    /// </summary>
    private static async Task<double> RunPipelinedSocketLoopAsync(HarnessOptions options, int smtpPort, int messageBytes)
    {
        using var serialised = new MemoryStream();
        await ReferenceMessage(ReferenceText(messageBytes), "someone@example.com").WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, serialised);
        var content = System.Text.Encoding.ASCII.GetString(serialised.ToArray()).Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
        var data = System.Text.Encoding.ASCII.GetBytes(content + ".\r\n");
        var envelope = "MAIL FROM:<news@shop.example>\r\nRCPT TO:<someone@example.com>\r\nDATA\r\n"u8.ToArray();
        var perConnection = options.Recipients / options.Connections;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(async _ =>
        {
            using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync("127.0.0.1", smtpPort);
            await using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
            await ExpectAsync(reader, "220");
            await stream.WriteAsync("EHLO bench\r\n"u8.ToArray());
            await ExpectAsync(reader, "250");
            for (var i = 0; i < perConnection; i++)
            {
                await stream.WriteAsync(envelope);
                await ExpectAsync(reader, "250");
                await ExpectAsync(reader, "250");
                await ExpectAsync(reader, "354");
                await stream.WriteAsync(data);
                await ExpectAsync(reader, "250");
            }

            await stream.WriteAsync("QUIT\r\n"u8.ToArray());
        }));
        return perConnection * options.Connections / watch.Elapsed.TotalSeconds;
    }

    /// <summary>HTML that makes the reference loops' message about <paramref name="messageBytes"/> on the wire, like the campaign's.</summary>
    private static string ReferenceText(int messageBytes)
        => string.Concat(Enumerable.Repeat("<p>The quick brown fox jumps over the lazy dog.</p>\n", Math.Max(1, (messageBytes - 600) / 52)));

    /// <summary>The reference loops' message.</summary>
    private static MimeMessage ReferenceMessage(string text, string recipient)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Atelier Nord", "news@shop.example"));
        message.To.Add(new MailboxAddress("", recipient));
        message.Subject = "Autumn";
        message.Body = new TextPart("html") { Text = text, ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        return message;
    }

    /// <summary>Reads one (possibly multi-line) reply and checks its code.</summary>
    private static async Task ExpectAsync(StreamReader reader, string code)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith(code, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Expected {code}, got: {line}");
            }

            if (line.Length < 4 || line[3] != '-')
            {
                return;
            }
        }

        throw new IOException("The server closed the connection.");
    }

    private static async Task<int> MeasureMessageSizeAsync(CampaignComposer composer)
    {
        var (message, _) = await composer.PreviewAsync("Autumn news for {{ contact.name }}", BenchmarkData.CampaignBody, "https://crm.example", CancellationToken.None);
        using var stream = new MemoryStream();
        await message!.WriteToAsync(stream);
        return (int)stream.Length;
    }

    /// <summary>Seeds contacts set-based, spread over <paramref name="domains"/> receiving domains (bench0.example, …).</summary>
    private static async Task SeedContactsAsync(IServiceProvider provider, int count, string providerName, int domains)
    {
        // Set-based: a million contacts go in within seconds, so the benchmark measures sending, not seeding.
        var contexts = provider.GetRequiredService<IDbContextFactory<Crm.Database.CrmDbContext>>();
        await using var db = await contexts.CreateDbContextAsync();
        var sql = providerName == "postgres"
            ? $"INSERT INTO contacts (email, name, marketing_status, created_at, updated_at) SELECT 'user' || n || '@bench' || (n % {domains}) || '.example', 'User ' || n, 'subscribed', now(), now() FROM generate_series(1, {count}) AS n"
            : $"WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < {count}) INSERT INTO contacts (email, name, marketing_status, created_at, updated_at) SELECT 'user' || n || '@bench' || (n % {domains}) || '.example', 'User ' || n, 'subscribed', 0, 0 FROM seq";
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        await db.Database.ExecuteSqlRawAsync(sql);
        await db.Database.ExecuteSqlRawAsync(providerName == "postgres"
            ? "INSERT INTO contact_attributes (contact_id, name, value) SELECT id, 'city', 'Oslo' FROM contacts"
            : "INSERT INTO contact_attributes (contact_id, name, value) SELECT id, 'city', 'Oslo' FROM contacts");
    }
}

/// <summary>Command-line options of the send harness.</summary>
internal sealed record HarnessOptions(int Recipients, int Connections, int BatchSize, string Provider, bool SkipMailKitLoop, bool NullTransport, int WarmUp, int Instances, int Domains = 1)
{
    public static HarnessOptions Parse(string[] args)
    {
        var recipients = 100_000;
        var connections = 8;
        var batch = 500;
        var provider = "sqlite";
        var skipLoop = false;
        var nullTransport = false;
        var warmUp = 10_000;
        var instances = 1;
        var domains = 1;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--recipients": recipients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--batch": batch = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--provider": provider = args[++i].ToLowerInvariant(); break;
                case "--skip-mailkit-loop": skipLoop = true; break;
                case "--null-transport": nullTransport = true; break;
                case "--warm-up": warmUp = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--instances": instances = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--domains": domains = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {args[i]}. Options: --recipients N --connections C --batch B --provider sqlite|postgres --skip-mailkit-loop --null-transport --warm-up N --instances N --domains N");
            }
        }

        return new HarnessOptions(recipients, connections, batch, provider, skipLoop, nullTransport, warmUp, instances, domains);
    }
}

/// <summary>Accepts every message at once, after serialising it as a transport would.</summary>
internal sealed class NullSender : ICampaignSender
{
    // CRLF, as an SMTP transport writes it (the default format on Linux is LF, which a transport never sends).
    private static readonly FormatOptions Wire = new() { NewLineFormat = NewLineFormat.Dos };

    public async Task SendAsync(MimeMessage message, MailboxAddress? envelopeFrom, CancellationToken cancellationToken)
        => await message.WriteToAsync(Wire, Stream.Null, cancellationToken);
}

/// <summary>Samples the process's working set every 50 ms and keeps the highest.</summary>
internal sealed class PeakMemorySampler : IDisposable
{
    private readonly Timer _timer;
    private long _peak;

    public PeakMemorySampler()
    {
        _timer = new Timer(_ =>
        {
            using var process = Process.GetCurrentProcess();
            var current = process.WorkingSet64;
            if (current > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, current);
            }
        }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(50));
    }

    public long Peak => Interlocked.Read(ref _peak);

    public void Dispose() => _timer.Dispose();
}
