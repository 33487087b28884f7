using Crm.Campaigns.Campaigns;
using Crm.Campaigns.Segments;
using Crm.Channels.Storage;
using Crm.Channels.Tickets;
using Crm.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Campaigns.Tests;

/// <summary>
/// A database created by the previous release (its last migration, with rows) upgrades in place to this one: the rows
/// are read through the stores, and what the new columns and tables hold (channel identities, a campaign's last error
/// and trace) works on it.
/// </summary>
public sealed class UpgradeMigrationTests
{
    private const string PreviousReleaseMigration = "OtherSender";

    private static readonly byte[] VisitorKey = [.. Enumerable.Repeat((byte)5, 32)];
    private static readonly byte[] TrackingKey = [.. Enumerable.Repeat((byte)6, 32)];

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_database_of_the_previous_release_upgrades_in_place_and_keeps_its_rows(string database)
    {
        var directory = Directory.CreateTempSubdirectory("crm-upgrade-");
        var connectionString = database == "sqlite" ? $"Data Source={Path.Combine(directory.FullName, "crm.db")};Pooling=False" : await PostgresServer.CreateDatabaseAsync();
        await using var services = new ServiceCollection()
            .AddCrmEntityFrameworkStores(o =>
            {
                if (database == "sqlite")
                {
                    o.UseCrmSqlite(connectionString);
                }
                else
                {
                    o.UseCrmPostgres(connectionString);
                }
            })
            .BuildServiceProvider();
        try
        {
            await using (var db = await services.GetRequiredService<IDbContextFactory<Crm.Database.CrmDbContext>>().CreateDbContextAsync())
            {
                var previous = db.Database.GetMigrations().Single(m => m.EndsWith("_" + PreviousReleaseMigration, StringComparison.Ordinal));
                await db.GetService<IMigrator>().MigrateAsync(previous);
                var at = database == "sqlite" ? "638000000000000000" : "'2026-11-01T10:00:00Z'";
                var insert = $"""
                    INSERT INTO contacts (id, email, name, marketing_status, soft_bounces, created_at, updated_at) VALUES (1, 'old@example.com', 'Olga', 'none', 0, {at}, {at});
                    INSERT INTO tickets (id, channel, status, subject, contact_id, conversation_key, created_at, updated_at) VALUES (1, 'email', 'open', 'Before the upgrade', 1, 'k1', {at}, {at});
                    INSERT INTO crm_settings (key, value) VALUES ('channels.chat.visitor_token_key', '{Convert.ToBase64String(VisitorKey)}'), ('tracking.signing_key', '{Convert.ToBase64String(TrackingKey)}');
                    """;
                // Constants of this test only, no input: the two dialects write dates differently.
#pragma warning disable EF1002
                await db.Database.ExecuteSqlRawAsync(insert);
#pragma warning restore EF1002
            }

            await services.MigrateCrmDatabaseAsync();

            var tickets = services.GetRequiredService<ITicketStore>();
            var before = await tickets.GetTicketDetailsAsync(1, CancellationToken.None);
            Assert.Equal("Before the upgrade", before!.Ticket.Subject);
            Assert.Equal("old@example.com", before.Contact!.Email);
            Assert.Empty(before.Contact.ExternalIds);
            var linked = await services.GetRequiredService<ITicketContactStore>().ResolveContactAsync(new ExternalIdentity("telegram", "42"), "old@example.com", null, "Olga", senderVerified: true, DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.Equal(1, linked.Id);
            Assert.Equal("42", (await tickets.GetTicketDetailsAsync(1, CancellationToken.None))!.Contact!.ExternalIds["telegram"]);

            // The keys the previous release generated still sign: links it mailed keep working after the upgrade.
            var secrets = services.GetRequiredService<Crm.Security.ICrmSecretStore>();
            Assert.Equal(VisitorKey, await secrets.GetOrCreateSecretAsync("channels.chat.visitor_token_key", new byte[32], CancellationToken.None));
            Assert.Equal(TrackingKey, await secrets.GetOrCreateSecretAsync("tracking.signing_key", new byte[32], CancellationToken.None));

            var campaigns = services.GetRequiredService<ICampaignStore>();
            const string traceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            var created = await campaigns.CreateAsync(new NewCampaign("After", "<p>Hi</p>", SegmentCriteria.All, DateTimeOffset.UtcNow, "news@shop.example", null, "https://crm.example", DateTimeOffset.UtcNow) { TraceParent = traceParent }, CancellationToken.None);
            var read = await campaigns.GetAsync(created.Id, CancellationToken.None);
            Assert.Equal(traceParent, read!.TraceParent);
            Assert.Null(read.LastError);
        }
        finally
        {
            if (database == "postgresql")
            {
                await PostgresServer.DropDatabaseAsync(connectionString);
            }

            directory.Delete(recursive: true);
        }
    }
}
