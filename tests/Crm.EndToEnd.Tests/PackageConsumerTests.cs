using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Crm.Testing;

namespace Crm.EndToEnd.Tests;

/// <summary>
/// The packages as a new user gets them: packed to a local feed, their dependencies checked, and the README's minimal
/// app built from that feed and run, mapped under a prefix, sending a campaign whose links must work.
/// </summary>
public sealed partial class PackageConsumerTests(PackageConsumerTests.PackedFeed packed) : IClassFixture<PackageConsumerTests.PackedFeed>, IDisposable
{
    private static readonly string[] Packages =
    [
        "Crm.Core", "Crm.Channels", "Crm.Campaigns", "Crm.Admin",
        "Crm.Storage.EfCore", "Crm.Storage.EfCore.Channels", "Crm.Storage.EfCore.Campaigns", "Crm.Storage.EfCore.Sqlite", "Crm.Storage.EfCore.PostgreSql",
        "Crm.Database", "Crm.Database.Sqlite", "Crm.Database.PostgreSql",
    ];
    private readonly string _root = Directory.CreateTempSubdirectory("crm-consumer-").FullName;
    private readonly string _version = packed.Version;

    [Fact]
    public async Task Each_package_carries_its_readme_icon_licence_and_commit_and_builds_reproducibly_from_the_packing_filter()
    {
        var feed = await PackAsync();
        // A checkout with its history stamps the commit into every package; a source archive without .git has none to stamp.
        var head = Path.Exists(Path.Combine(RepositoryPaths.Root, ".git"))
            ? (await RunAsync("git", ["rev-parse", "HEAD"], RepositoryPaths.Root, TimeSpan.FromSeconds(30))).Trim()
            : null;
        var filter = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "Crm.Packages.slnf")));
        var filtered = filter.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray()
            .Select(p => Path.GetFileNameWithoutExtension(p.GetString()!.Replace('\\', '/'))).Order(StringComparer.Ordinal);
        Assert.Equal(Packages.Order(StringComparer.Ordinal), filtered);
        Assert.Contains("MIT License", await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "LICENSE")), StringComparison.Ordinal);

        foreach (var package in Packages)
        {
            using var nupkg = ZipFile.OpenRead(Path.Combine(feed, $"{package}.{_version}.nupkg"));
            Assert.Subset(nupkg.Entries.Select(e => e.FullName).ToHashSet(), new HashSet<string> { "README.md", "icon.png", "LICENSE", $"lib/net10.0/{package}.xml" });
            using var nuspecStream = nupkg.GetEntry($"{package}.nuspec")!.Open();
            var nuspec = XDocument.Load(nuspecStream).Root!;
            var ns = nuspec.Name.Namespace;
            var metadata = nuspec.Element(ns + "metadata")!;
            Assert.Equal("icon.png", metadata.Element(ns + "icon")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
            if (head is not null)
            {
                Assert.Equal(head, metadata.Element(ns + "repository")?.Attribute("commit")?.Value);
            }

            using var readme = new StreamReader(nupkg.GetEntry("README.md")!.Open());
            Assert.Contains("https://github.com/crm-libraries/crm-libraries/blob/main/docs/", await readme.ReadToEndAsync(), StringComparison.Ordinal);

            // The symbols package: the PDB names sources by the path map of a reproducible build, not this machine's paths.
            using var snupkg = ZipFile.OpenRead(Path.Combine(feed, $"{package}.{_version}.snupkg"));
            using var pdbStream = new MemoryStream();
            await using (var entry = snupkg.GetEntry($"lib/net10.0/{package}.pdb")!.Open())
            {
                await entry.CopyToAsync(pdbStream);
            }

            pdbStream.Position = 0;
            using var pdb = System.Reflection.Metadata.MetadataReaderProvider.FromPortablePdbStream(pdbStream);
            var reader = pdb.GetMetadataReader();
            var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).Where(d => d.EndsWith(".cs", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(documents);
            Assert.All(documents, d => Assert.StartsWith("/_/", d, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task The_packages_restore_from_a_local_feed_and_the_readme_app_sends_working_links_under_a_prefix()
    {
        var feed = await PackAsync();

        // Dependency closure, through our own packages: PostgreSQL users never carry SQLite, a feature's storage never
        // carries the other feature, the neutral core and the provider packages carry no feature.
        var closure = Packages.ToDictionary(p => p, p => Closure(feed, p));
        Assert.DoesNotContain(closure["Crm.Database.PostgreSql"], d => d.Contains("Sqlite", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(closure["Crm.Storage.EfCore.PostgreSql"], d => d.Contains("Sqlite", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(closure["Crm.Database.Sqlite"], d => d.Contains("Npgsql", StringComparison.OrdinalIgnoreCase));
        foreach (var neutral in new[] { "Crm.Storage.EfCore", "Crm.Storage.EfCore.Sqlite", "Crm.Storage.EfCore.PostgreSql" })
        {
            Assert.DoesNotContain(closure[neutral], d => d is "Crm.Channels" or "Crm.Campaigns");
        }

        Assert.DoesNotContain(closure["Crm.Storage.EfCore"], d => d.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) || d.Contains("Npgsql", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Crm.Channels", closure["Crm.Storage.EfCore.Channels"]);
        Assert.DoesNotContain(closure["Crm.Storage.EfCore.Channels"], d => d.StartsWith("Crm.Campaigns", StringComparison.Ordinal) || d.Contains("Storage.EfCore.Campaigns", StringComparison.Ordinal) || d.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) || d.Contains("Npgsql", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Crm.Campaigns", closure["Crm.Storage.EfCore.Campaigns"]);
        Assert.DoesNotContain(closure["Crm.Storage.EfCore.Campaigns"], d => d.StartsWith("Crm.Channels", StringComparison.Ordinal) || d.Contains("Storage.EfCore.Channels", StringComparison.Ordinal) || d.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) || d.Contains("Npgsql", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("Microsoft.EntityFrameworkCore.Sqlite", closure["Crm.Database.Sqlite"]);
        Assert.Contains("Npgsql.EntityFrameworkCore.PostgreSQL", closure["Crm.Database.PostgreSql"]);
        // The features stand on the shared kernel and nothing else of ours; the kernel on nothing of ours.
        Assert.DoesNotContain(closure["Crm.Core"], d => d.StartsWith("Crm.", StringComparison.Ordinal) || d.Contains("EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(closure["Crm.Channels"], d => (d.StartsWith("Crm.", StringComparison.Ordinal) && d != "Crm.Core") || d.Contains("EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(closure["Crm.Campaigns"], d => (d.StartsWith("Crm.", StringComparison.Ordinal) && d != "Crm.Core") || d.Contains("EntityFrameworkCore", StringComparison.Ordinal));
        Assert.Contains("Crm.Core", closure["Crm.Channels"]);
        Assert.Contains("Crm.Core", closure["Crm.Campaigns"]);

        // Migrations ship only with the ready context's packages, one set per database; the provider packages have none.
        Assert.Contains(LibraryTypes(feed, "Crm.Database.Sqlite"), IsFirstMigration);
        Assert.Contains(LibraryTypes(feed, "Crm.Database.PostgreSql"), IsFirstMigration);
        Assert.DoesNotContain(LibraryTypes(feed, "Crm.Storage.EfCore.Sqlite"), t => t.Contains("Migrations", StringComparison.Ordinal));
        Assert.DoesNotContain(LibraryTypes(feed, "Crm.Storage.EfCore.PostgreSql"), t => t.Contains("Migrations", StringComparison.Ordinal));

        // The README's minimal app, verbatim: its agents and managers call with the API keys it reads from configuration.
        var program = ReadmeConsumerApp();
        var app = await WriteWebAppAsync(feed, "Consumer", program, ["Crm.Channels", "Crm.Campaigns", "Crm.Admin", "Crm.Database.Sqlite", "Crm.Samples.Telegram", "OpenTelemetry.Extensions.Hosting@1.21.0", "OpenTelemetry.Exporter.OpenTelemetryProtocol@1.21.0"]);
        // Every other C# snippet of the README and docs/ compiles too, against the same packages.
        await WriteReadmeSnippetsAsync(app);
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(app, "out")], app, TimeSpan.FromMinutes(5));

        await using var started = await StartAsync(app, "Consumer", "--Crm:ApiKeys:consumer-manager-key-0123456789=Manager", "--Crm:ApiKeys:consumer-agent-key-0123456789=Agent");
        var baseAddress = started.Address;

        using var anonymous = new HttpClient { BaseAddress = baseAddress };
        using (var refused = await anonymous.GetAsync("/crm/tickets"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        using var agent = new HttpClient { BaseAddress = baseAddress, DefaultRequestHeaders = { { "X-Api-Key", "consumer-agent-key-0123456789" } } };
        using (var agentTickets = await agent.GetAsync("/crm/tickets"))
        {
            Assert.Equal(HttpStatusCode.OK, agentTickets.StatusCode);
        }

        using (var agentCampaigns = await agent.GetAsync("/crm/bulk-email"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, agentCampaigns.StatusCode);
        }

        using var client = new HttpClient { BaseAddress = baseAddress, DefaultRequestHeaders = { { "X-Api-Key", "consumer-manager-key-0123456789" } } };
        using (var import = await client.PostAsJsonAsync("/crm/contacts", new[] { new { email = "consumer@example.com" } }))
        {
            Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        }

        using var created = await client.PostAsJsonAsync("/crm/bulk-email", new { subject = "From the package", body = "<p>Hi</p>" });
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        Assert.Equal($"/crm/bulk-email/{id}", created.Headers.Location?.OriginalString);
        await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30), $"/crm/bulk-email/{id}");

        var message = MimeKit.MimeMessage.Load(Directory.GetFiles(Path.Combine(app, "outbox"), "*.eml").Single());
        var pixel = Regex.Match(message.HtmlBody!, "src=\"([^\"]+/open/[^\"]+)\"").Groups[1].Value;
        Assert.StartsWith($"{baseAddress.ToString().TrimEnd('/')}/crm/bulk-email/open/{id}/", pixel, StringComparison.Ordinal);
        using var hit = await anonymous.GetAsync(pixel);
        Assert.Equal(HttpStatusCode.OK, hit.StatusCode);
    }

    [Fact]
    public async Task Dotnet_ef_migrations_add_on_an_integrators_sqlite_context_creates_the_crm_tables_and_alters_none_of_theirs()
    {
        var feed = await PackAsync();
        var tools = Path.Combine(_root, "tools");
        await RunAsync("dotnet", ["tool", "install", "dotnet-ef", "--version", "10.0.15", "--tool-path", tools], _root, TimeSpan.FromMinutes(5));
        var shop = Directory.CreateDirectory(Path.Combine(_root, "shop")).FullName;
        await WriteNuGetConfigAsync(shop, feed);
        await File.WriteAllTextAsync(Path.Combine(shop, "Shop.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Crm.Storage.EfCore.Channels" Version="{_version}" />
                <PackageReference Include="Crm.Storage.EfCore.Campaigns" Version="{_version}" />
                <PackageReference Include="Crm.Storage.EfCore.Sqlite" Version="{_version}" />
                <PackageReference Include="Microsoft.EntityFrameworkCore.Design" Version="10.0.0" PrivateAssets="all" />
              </ItemGroup>
            </Project>
            """);
        // The integrator's own context: an Orders table with a DateTimeOffset and rows; the CRM's tables are added later.
        await File.WriteAllTextAsync(Path.Combine(shop, "Program.cs"), """
            using Crm.Storage.EfCore;
            using Microsoft.EntityFrameworkCore;
            using Microsoft.EntityFrameworkCore.Design;

            await using var db = new ShopFactory().CreateDbContext(args);
            await db.Database.MigrateAsync();
            if (args is ["seed"])
            {
                db.Orders.Add(new Order { PlacedAt = new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.FromHours(2)), Total = 42.5m });
                await db.SaveChangesAsync();
            }

            var order = await db.Orders.SingleAsync();
            Console.WriteLine($"order {order.PlacedAt:O} {order.Total}");

            public sealed class Order
            {
                public int Id { get; set; }

                public DateTimeOffset PlacedAt { get; set; }

                public decimal Total { get; set; }
            }

            public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
            {
                public DbSet<Order> Orders => Set<Order>();

                protected override void OnModelCreating(ModelBuilder modelBuilder)
                {
                    if (Environment.GetEnvironmentVariable("SHOP_WITH_CRM") == "1")
                    {
                        modelBuilder.ApplyCrmChannels().ApplyCrmCampaigns().ApplyCrmSqliteConventions();
                    }
                }
            }

            public sealed class ShopFactory : IDesignTimeDbContextFactory<ShopContext>
            {
                public ShopContext CreateDbContext(string[] args)
                    => new(new DbContextOptionsBuilder<ShopContext>().UseCrmSqlite("Data Source=shop.db").Options);
            }
            """);
        var ef = Path.Combine(tools, "dotnet-ef");
        await RunAsync("dotnet", ["build"], shop, TimeSpan.FromMinutes(5));

        await RunAsync(ef, ["migrations", "add", "Shop"], shop, TimeSpan.FromMinutes(5));
        await RunAsync("dotnet", ["run", "--", "seed"], shop, TimeSpan.FromMinutes(5));
        await RunAsync(ef, ["migrations", "add", "AddCrm"], shop, TimeSpan.FromMinutes(5), ("SHOP_WITH_CRM", "1"));
        var migration = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(shop, "Migrations"), "*_AddCrm.cs").Single());
        var read = await RunAsync("dotnet", ["run", "--", "read"], shop, TimeSpan.FromMinutes(5), ("SHOP_WITH_CRM", "1"));

        Assert.Contains("name: \"tickets\"", migration, StringComparison.Ordinal);
        Assert.Contains("name: \"campaign_recipients\"", migration, StringComparison.Ordinal);
        Assert.DoesNotContain("AlterColumn", migration, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Orders\"", migration, StringComparison.Ordinal);
        Assert.Contains("order 2026-05-01T10:00:00.0000000+02:00 42.5", read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_channels_only_and_a_campaigns_only_app_restore_without_the_other_feature_and_run_their_package_readme()
    {
        var feed = await PackAsync();

        var support = await BuildFeatureAppAsync(feed, "support", "Crm.Storage.EfCore.Channels", "channels-only-app", "SupportContext", ["Crm.Channels", "Crm.Storage.EfCore.Channels", "Crm.Storage.EfCore.Sqlite"]);
        var supportLibraries = RestoredLibraries(support);
        Assert.Contains("Crm.Storage.EfCore", supportLibraries);
        // Fluid comes with the kernel's template sandbox, which inbox signatures render in too; campaigns do not.
        Assert.DoesNotContain(supportLibraries, l => l is "Crm.Campaigns" or "Crm.Storage.EfCore.Campaigns" or "Crm.Database" || l.Contains("Npgsql", StringComparison.Ordinal));
        await using (var app = await StartAsync(support, "support"))
        {
            using var client = new HttpClient { BaseAddress = app.Address };
            using var created = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ada", email = "ada@example.com", message = "Where is my order?" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var tickets = JsonDocument.Parse(await client.GetStringAsync("/tickets")).RootElement.GetProperty("items");
            Assert.Equal("chat", tickets.EnumerateArray().Single().GetProperty("channel").GetString());
        }

        var marketing = await BuildFeatureAppAsync(feed, "marketing", "Crm.Storage.EfCore.Campaigns", "campaigns-only-app", "MarketingContext", ["Crm.Campaigns", "Crm.Storage.EfCore.Campaigns", "Crm.Storage.EfCore.Sqlite"]);
        var marketingLibraries = RestoredLibraries(marketing);
        Assert.DoesNotContain(marketingLibraries, l => l is "Crm.Channels" or "Crm.Storage.EfCore.Channels" or "Crm.Database" or "HtmlSanitizer" || l.Contains("Npgsql", StringComparison.Ordinal));
        await using (var app = await StartAsync(marketing, "marketing"))
        {
            using var client = new HttpClient { BaseAddress = app.Address };
            using (var import = await client.PostAsJsonAsync("/contacts", new[] { new { email = "grace@example.com" } }))
            {
                Assert.Equal(HttpStatusCode.OK, import.StatusCode);
            }

            using var created = await client.PostAsJsonAsync("/bulk-email", new { subject = "Campaigns only", body = "<p>Hi</p>" });
            Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            await new CampaignApi(client).WaitForAsync(id, c => c.GetProperty("status").GetString() == "completed", TimeSpan.FromSeconds(30), $"/bulk-email/{id}");
            Assert.Single(Directory.GetFiles(Path.Combine(marketing, "outbox"), "*.eml"));
        }
    }

    [Fact]
    public async Task From_the_packages_a_telegram_chat_is_one_ticket_answered_through_a_typed_client_and_a_context_without_the_crm_tables_stops_at_start()
    {
        var feed = await PackAsync();
        // Telegram's Bot API, as the sample's reply sender meets it.
        var sent = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        var apiBuilder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        apiBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var botApi = apiBuilder.Build();
        botApi.MapPost("/bot123:consumer-token/sendMessage", async (Microsoft.AspNetCore.Http.HttpRequest request) =>
        {
            sent.Enqueue(await JsonSerializer.DeserializeAsync<JsonElement>(request.Body));
            return Microsoft.AspNetCore.Http.Results.Json(new { ok = true, result = new { message_id = 1000 + sent.Count } });
        });
        await botApi.StartAsync();

        var telegram = await WriteWebAppAsync(feed, "telegram", """
            using Crm.Samples.Telegram;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddAuthorization();
            builder.Services.AddCrmChannels().UseInMemoryStore().AddTelegram(builder.Configuration.GetSection("Telegram"));
            var app = builder.Build();
            app.MapCrmChannels().Agents.AllowAnonymous();
            app.Run();
            """, ["Crm.Channels", "Crm.Samples.Telegram"]);
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(telegram, "out")], telegram, TimeSpan.FromMinutes(5));
        await using (var app = await StartAsync(telegram, "telegram", "--Telegram:BotToken=123:consumer-token", "--Telegram:WebhookSecret=consumer-webhook-secret", $"--Telegram:ApiBaseUrl={botApi.Urls.First()}/"))
        {
            using var client = new HttpClient { BaseAddress = app.Address };
            foreach (var (update, text) in new[] { (1, "Hello?"), (2, "Anyone there?") })
            {
                using var post = new HttpRequestMessage(HttpMethod.Post, "/tickets?channel=telegram")
                {
                    Content = new StringContent(JsonSerializer.Serialize(new { update_id = update, message = new { message_id = update, from = new { id = 77, is_bot = false, first_name = "Tess" }, chat = new { id = 77, type = "private" }, date = 1_765_000_000, text } }), System.Text.Encoding.UTF8, "application/json"),
                };
                post.Headers.Add("X-Telegram-Bot-Api-Secret-Token", "consumer-webhook-secret");
                using var accepted = await client.SendAsync(post);
                Assert.True(accepted.IsSuccessStatusCode, $"update {update}: {accepted.StatusCode}");
            }

            var ticket = JsonDocument.Parse(await client.GetStringAsync("/tickets")).RootElement.GetProperty("items").EnumerateArray().Single();
            var id = ticket.GetProperty("id").GetInt64();
            using var reply = await client.PostAsJsonAsync($"/tickets/{id}/replies", new { text = "Yes, how can we help?" });
            Assert.Equal(HttpStatusCode.Accepted, reply.StatusCode);
            var delivered = await Poll.UntilAsync(
                async () => JsonDocument.Parse(await client.GetStringAsync($"/tickets/{id}")).RootElement.GetProperty("messages").EnumerateArray().Last(),
                m => m.GetProperty("direction").GetString() == "outbound" && m.GetProperty("deliveryStatus").GetString() != "queued",
                TimeSpan.FromSeconds(20),
                "the reply's delivery");

            Assert.Equal("sent", delivered.GetProperty("deliveryStatus").GetString());
            var message = Assert.Single(sent);
            Assert.Equal("77", message.GetProperty("chat_id").ToString());
            Assert.Equal("Yes, how can we help?", message.GetProperty("text").GetString());
        }

        // A context the CRM's tables were never created in: the host stops at start and says how to fix it.
        var unmigrated = await WriteWebAppAsync(feed, "unmigrated", """
            using Microsoft.EntityFrameworkCore;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddAuthorization();
            builder.Services.AddCrmChannels().AddChat();
            builder.Services.AddPooledDbContextFactory<ShopContext>(o => o.UseCrmSqlite("Data Source=shop.db"));
            builder.Services.AddCrmChannelStores<ShopContext>();
            var app = builder.Build();
            app.MapCrmChannels().Agents.AllowAnonymous();
            app.Run();

            public sealed class ShopContext(DbContextOptions<ShopContext> options) : DbContext(options)
            {
                protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyCrmChannels().ApplyCrmSqliteConventions();
            }
            """, ["Crm.Channels", "Crm.Storage.EfCore.Channels", "Crm.Storage.EfCore.Sqlite"]);
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(unmigrated, "out")], unmigrated, TimeSpan.FromMinutes(5));
        var (exitCode, output) = await RunToExitAsync(unmigrated, "unmigrated", TimeSpan.FromMinutes(1));
        Assert.NotEqual(0, exitCode);
        Assert.Contains("The database of ShopContext lacks the CRM's table", output, StringComparison.Ordinal);
        Assert.Contains("dotnet ef migrations add", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task From_the_packages_map_crm_admin_serves_the_inbox_in_chromium_behind_the_hosts_policy_themed_and_forgery_proof()
    {
        var feed = await PackAsync();
        var admin = await WriteWebAppAsync(feed, "admin", """
            using System.Security.Claims;
            using Microsoft.AspNetCore.Authentication;
            using Microsoft.AspNetCore.Authentication.Cookies;

            var builder = WebApplication.CreateBuilder(args);
            builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
                .AddCookie(o => { o.LoginPath = "/signin"; o.AccessDeniedPath = "/denied"; });
            builder.Services.AddAuthorizationBuilder().AddPolicy("SupportDesk", p => p.RequireClaim("desk", "support"));
            builder.Services.AddCrmChannels().AddChat().UseInMemoryStore();
            builder.Services.AddCrmAdmin();
            var app = builder.Build();
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/signin", async (HttpContext context, string? desk, string? returnUrl) =>
            {
                var user = new ClaimsIdentity([new Claim(ClaimTypes.Name, "tess"), new Claim("desk", desk ?? "none")], CookieAuthenticationDefaults.AuthenticationScheme);
                await context.SignInAsync(new ClaimsPrincipal(user));
                return Results.LocalRedirect(returnUrl ?? "/crm-admin");
            });
            app.MapGet("/denied", () => "denied");
            app.MapGet("/brand.css", () => Results.Text(":root { --navy: rgb(1, 2, 3); }", "text/css"));
            app.MapCrmChannels().Agents.RequireAuthorization("SupportDesk");
            app.MapCrmAdmin("/crm-admin", o =>
            {
                o.AgentsPolicy = "SupportDesk";
                o.MarketingPolicy = "SupportDesk";
                o.Title = "Acme Support";
                o.Stylesheets.Add("/brand.css");
            });
            app.Run();
            """, ["Crm.Admin"]);
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(admin, "out")], admin, TimeSpan.FromMinutes(5));
        await using var app = await StartAsync(admin, "admin");
        using (var client = new HttpClient { BaseAddress = app.Address })
        {
            using var chat = await client.PostAsJsonAsync("/tickets?channel=chat", new { name = "Ann", email = "ann@example.com", message = "Where is my parcel?" });
            Assert.Equal(HttpStatusCode.Created, chat.StatusCode);
        }

        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new Microsoft.Playwright.BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });

        // Signed in without the host's policy: the admin is refused, through the host's own access-denied page.
        await using (var outsider = await browser.NewContextAsync(new() { BaseURL = app.Address.ToString() }))
        {
            var page = await outsider.NewPageAsync();
            await page.GotoAsync("/signin?desk=sales&returnUrl=/crm-admin/tickets");
            Assert.EndsWith("/denied?ReturnUrl=%2Fcrm-admin%2Ftickets", page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain("Where is my parcel?", await page.ContentAsync(), StringComparison.Ordinal);
        }

        await using var agent = await browser.NewContextAsync(new() { BaseURL = app.Address.ToString() });
        var inbox = await agent.NewPageAsync();
        await inbox.GotoAsync("/signin?desk=support&returnUrl=/crm-admin");
        Assert.EndsWith("/crm-admin/tickets", inbox.Url, StringComparison.Ordinal);
        var inboxResponse = await inbox.ReloadAsync();
        Assert.Equal("DENY", inboxResponse!.Headers["x-frame-options"]);
        Assert.Contains("script-src 'self'", inboxResponse.Headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Equal("Acme Support.", (await inbox.Locator(".brand").InnerTextAsync()).Trim());
        Assert.Equal("rgb(1, 2, 3)", await inbox.Locator(".topbar").EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        // Conversations only: no campaign pages, no menu entries for them.
        Assert.Equal(0, await inbox.Locator("[data-testid=nav-bulk-email]").CountAsync());
        Assert.Equal(404, (await agent.APIRequest.GetAsync("/crm-admin/bulk-email")).Status);

        await inbox.Locator("table a").First.ClickAsync();
        await inbox.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/crm-admin/tickets/[0-9]+$"));
        var ticketId = long.Parse(inbox.Url[(inbox.Url.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("Where is my parcel?", await inbox.Locator("[data-testid=ticket-messages]").InnerTextAsync(), StringComparison.Ordinal);
        await inbox.Locator("[data-testid=reply-text]").FillAsync("It ships today.");
        await inbox.Locator("[data-testid=reply-send]").ClickAsync();
        await Microsoft.Playwright.Assertions.Expect(inbox.Locator("[data-testid=ticket-messages]")).ToContainTextAsync("It ships today.", new() { Timeout = 15_000 });
        Assert.Equal("", await inbox.Locator("[data-testid=reply-error]").InnerTextAsync());

        // The same signed-in browser, without the page's anti-forgery token (as a forged cross-site post would be): refused.
        var forged = await agent.APIRequest.PostAsync($"/tickets/{ticketId}/replies", new() { DataObject = new { text = "Forged." } });
        Assert.Equal(403, forged.Status);
        using var stored = JsonDocument.Parse(await (await agent.APIRequest.GetAsync($"/tickets/{ticketId}")).TextAsync());
        Assert.DoesNotContain(stored.RootElement.GetProperty("messages").EnumerateArray(), m => m.GetProperty("text").GetString() == "Forged.");
    }

    /// <summary>Runs the app built into <c>out</c> in Production until it exits by itself; its exit code and output.</summary>
    private static async Task<(int ExitCode, string Output)> RunToExitAsync(string app, string assembly, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(app, "out", assembly + ".dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        await using var process = OwnedProcess.Start(start);
        var stdout = process.Process.StandardOutput.ReadToEndAsync();
        var stderr = process.Process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.Process.WaitForExitAsync(cancel.Token);
        return (process.Process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// Builds the app of a feature storage package's README from the feed. The README has the app apply its own
    /// migrations; here the context's schema is created directly (generating migrations is the integrator test's part).
    /// </summary>
    private async Task<string> BuildFeatureAppAsync(string feed, string name, string package, string marker, string context, string[] references)
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "src", package, "README.md"));
        var block = Regex.Match(readme, $"<!-- {marker}[^>]*-->\\s*```csharp\\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, $"{package}/README.md has no {marker} code block");
        var program = block.Groups[1].Value
            .Replace(".RequireAuthorization()", ".AllowAnonymous()", StringComparison.Ordinal)
            .Replace(
                "await app.Services.MigrateCrmDatabaseAsync();",
                $"await using (var db = await app.Services.GetRequiredService<IDbContextFactory<{context}>>().CreateDbContextAsync()) {{ await db.Database.EnsureCreatedAsync(); }}",
                StringComparison.Ordinal);
        Assert.Contains("EnsureCreatedAsync", program, StringComparison.Ordinal);

        var app = await WriteWebAppAsync(feed, name, program, references);
        await RunAsync("dotnet", ["build", "-c", "Release", "-o", Path.Combine(app, "out")], app, TimeSpan.FromMinutes(5));
        return app;
    }

    /// <summary>A web app referencing <paramref name="references"/> from the feed, warnings as errors, not built yet.</summary>
    private async Task<string> WriteWebAppAsync(string feed, string name, string program, string[] references)
    {
        var app = Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
        await WriteNuGetConfigAsync(app, feed);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), program);
        await File.WriteAllTextAsync(Path.Combine(app, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
            {string.Concat(references.Select(r => r.Split('@') is [var id, var version] ? (id, version) : (r, _version)).Select(r => $"    <PackageReference Include=\"{r.Item1}\" Version=\"{r.Item2}\" />\n"))}  </ItemGroup>
            </Project>
            """);
        return app;
    }

    /// <summary>The package ids restore resolved for the app, transitive ones included.</summary>
    private static List<string> RestoredLibraries(string app)
    {
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(app, "obj", "project.assets.json")));
        return assets.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0]).ToList();
    }

    /// <summary>Starts the app built into <c>out</c> in Production on a free loopback port, and waits until it listens.</summary>
    private static async Task<StartedApp> StartAsync(string app, string assembly, params string[] settings)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(app, "out", assembly + ".dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = OwnedProcess.Start(start);
        var output = new System.Text.StringBuilder();
        process.Process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Process.BeginOutputReadLine();
        process.Process.BeginErrorReadLine();
        try
        {
            return new StartedApp(process, await WaitForAddressAsync(process, output));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private sealed record StartedApp(OwnedProcess Process, Uri Address) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Process.DisposeAsync();
    }

    public void Dispose() => HostProcess.TryDeleteDirectory(_root);

    private Task<string> PackAsync() => packed.Feed.Value;

    private static Task WriteNuGetConfigAsync(string directory, string feed)
        => File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="crm-local" value="{feed}" />
              </packageSources>
            </configuration>
            """);

    private static string ReadmeConsumerApp()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        var match = ConsumerAppBlock().Match(readme);
        Assert.True(match.Success, "README.md has no consumer-app code block");
        return match.Groups[1].Value;
    }

    /// <summary>
    /// The README's other C# blocks as files of the consumer app: a block that declares a type is a file of its own; a
    /// fragment becomes the body of a method whose parameters are the names the fragment uses without declaring
    /// (<c>builder</c>, <c>app</c>, <c>whatsApp</c>, <c>ct</c>); <c>using</c> lines move to the file's top. The types
    /// the fragments only name (<c>MyTelegramAdapter</c>, <c>TelegramUpdate</c>, …) are stubbed here.
    /// </summary>
    private static async Task WriteReadmeSnippetsAsync(string app)
    {
        // The README and every page of docs/: what a reader may copy must compile.
        var readme = string.Join("\n", Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal).Prepend(Path.Combine(RepositoryPaths.Root, "README.md")).Select(File.ReadAllText));
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).Where(b => !b.Contains("var builder = WebApplication.CreateBuilder", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(blocks);
        await File.WriteAllTextAsync(Path.Combine(app, "SnippetSupport.cs"), """
            global using System.Text.Json;
            global using Crm.Campaigns.DependencyInjection;
            global using Crm.Channels.Adapters;
            global using Crm.Channels.Email;
            global using Crm.Channels.Ingestion;
            global using Crm.Channels.WhatsApp;

            public sealed class MyTelegramAdapter(Microsoft.Extensions.Options.IOptions<Crm.Samples.Telegram.TelegramOptions> options) : TelegramAdapter(options);

            public sealed class NotifyAgentsOnSlack : ITicketEventHandler
            {
                public ValueTask HandleAsync(TicketEvent ticketEvent, CancellationToken cancellationToken) => ValueTask.CompletedTask;
            }

            public sealed record TelegramUpdate(long UpdateId, TelegramMessage Message);

            public sealed record TelegramMessage(long MessageId, TelegramChat Chat, string Text, TelegramUser From);

            public sealed record TelegramChat(long Id);

            public sealed record TelegramUser(string FirstName);
            """);
        for (var i = 0; i < blocks.Count; i++)
        {
            var lines = blocks[i].Split('\n');
            var usings = string.Join('\n', lines.Where(l => l.StartsWith("using ", StringComparison.Ordinal)));
            var body = string.Join('\n', lines.Where(l => !l.StartsWith("using ", StringComparison.Ordinal)));
            string file;
            if (Regex.IsMatch(body, @"^public (sealed )?(class|record)", RegexOptions.Multiline))
            {
                file = usings + "\n" + body.Replace("public sealed class TelegramAdapter", "public class TelegramAdapter", StringComparison.Ordinal);
            }
            else
            {
                var parameters = new[] { ("WebApplicationBuilder", "builder"), ("WebApplication", "app"), ("IWhatsAppSender", "whatsApp"), ("CancellationToken", "ct"), ("Microsoft.EntityFrameworkCore.ModelBuilder", "modelBuilder") }
                    .Where(p => Regex.IsMatch(body, $@"\b{p.Item2}\b") && !Regex.IsMatch(body, $@"\bvar {p.Item2}\b"))
                    .Select(p => $"{p.Item1} {p.Item2}");
                file = $"{usings}\n#pragma warning disable CS0219, CS0168\ninternal static class ReadmeSnippet{i}\n{{\n    public static async Task RunAsync({string.Join(", ", parameters)})\n    {{\n{body}\n        await Task.CompletedTask;\n    }}\n}}\n";
            }

            await File.WriteAllTextAsync(Path.Combine(app, $"ReadmeSnippet{i}.cs"), file);
        }
    }

    /// <summary>Every package id <paramref name="package"/> depends on, directly or through our other packages in <paramref name="feed"/>.</summary>
    private HashSet<string> Closure(string feed, string package)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([package]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var dependency in Dependencies(Path.Combine(feed, $"{current}.{_version}.nupkg")))
            {
                if (seen.Add(dependency) && Packages.Contains(dependency))
                {
                    queue.Enqueue(dependency);
                }
            }
        }

        return seen;
    }

    private static bool IsFirstMigration(string type) => type.Contains(".Migrations", StringComparison.Ordinal) && type.EndsWith(".InitialCreate", StringComparison.Ordinal);

    /// <summary>The names of the types in the package's library, read from its metadata without loading it.</summary>
    private List<string> LibraryTypes(string feed, string package)
    {
        using var archive = ZipFile.OpenRead(Path.Combine(feed, $"{package}.{_version}.nupkg"));
        using var library = new MemoryStream();
        using (var entry = archive.Entries.Single(e => e.FullName == $"lib/net10.0/{package}.dll").Open())
        {
            entry.CopyTo(library);
        }

        library.Position = 0;
        using var pe = new System.Reflection.PortableExecutable.PEReader(library);
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.TypeDefinitions.Select(t => metadata.GetTypeDefinition(t)).Select(t => metadata.GetString(t.Namespace) + "." + metadata.GetString(t.Name)).ToList();
    }

    private static List<string> Dependencies(string nupkg)
    {
        using var archive = ZipFile.OpenRead(nupkg);
        var nuspec = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).Distinct().ToList();
    }

    private static async Task<Uri> WaitForAddressAsync(OwnedProcess process, System.Text.StringBuilder output)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            string text;
            lock (output)
            {
                text = output.ToString();
            }

            if (ListeningOn().Match(text) is { Success: true } listening)
            {
                return new Uri(listening.Groups[1].Value);
            }

            Assert.False(process.HasExited, text);
            await Task.Delay(100);
        }

        throw new TimeoutException("The consumer app did not start listening.");
    }

    private static async Task<string> RunAsync(string command, string[] arguments, string directory, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        await using var process = OwnedProcess.Start(start);
        var stdout = process.Process.StandardOutput.ReadToEndAsync();
        var stderr = process.Process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.Process.WaitForExitAsync(cancel.Token);
        Assert.True(process.Process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed:\n{await stdout}\n{await stderr}");
        return await stdout;
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex("<!-- consumer-app[^>]*-->\\s*```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ConsumerAppBlock();

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    /// <summary>The packages packed once for the class, to a local feed of their own.</summary>
    public sealed class PackedFeed : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("crm-feed-").FullName;

        public PackedFeed() => Feed = new Lazy<Task<string>>(PackAsync);

        public string Version { get; } = "0.1.0-consumer." + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);

        public Lazy<Task<string>> Feed { get; }

        public void Dispose() => HostProcess.TryDeleteDirectory(_root);

        private async Task<string> PackAsync()
        {
            var feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;
            // The packages, and the Telegram sample channel as an integrator would package their own (the README shows it).
            var projects = Packages.Select(p => Path.Combine(RepositoryPaths.Root, "src", p, p + ".csproj"))
                .Append(Path.Combine(RepositoryPaths.Root, "samples", "TelegramChannel", "TelegramChannel.csproj"));
            foreach (var project in projects)
            {
                await RunAsync("dotnet", ["pack", project, "-c", "Release", "--no-build", "-o", feed, $"-p:MinVerVersionOverride={Version}", $"-p:PackageVersion={Version}"], RepositoryPaths.Root, TimeSpan.FromMinutes(3));
            }

            return feed;
        }
    }
}
