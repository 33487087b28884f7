using Crm.Storage.EfCore;
using Crm.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Campaigns.Tests;

/// <summary>
/// Consent per purpose on a database created by the previous release: contacts the intake created (their first ticket
/// is no later than the contact) stop being marketing recipients; imported contacts keep their status, and so does
/// every contact that had already left the list.
/// </summary>
public sealed class ConsentMigrationTests
{
    private const string PreviousMigration = "AttachmentContents";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Upgrading_marks_contacts_created_by_intake_as_not_subscribed_and_keeps_imported_ones(string database)
    {
        var directory = Directory.CreateTempSubdirectory("crm-migration-");
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
                var migrator = db.GetService<IMigrator>();
                var previous = db.Database.GetMigrations().Single(m => m.EndsWith("_" + PreviousMigration, StringComparison.Ordinal));
                await migrator.MigrateAsync(previous);
                // As the previous release wrote them: an intake contact and its ticket share one time; an imported
                // contact came before its ticket; an intake contact that unsubscribed stays so.
                var (early, late) = database == "sqlite" ? ("638000000000000000", "638000000010000000") : ("'2026-11-01T10:00:00Z'", "'2026-11-02T10:00:00Z'");
                var insert = $"""
                    INSERT INTO contacts (id, email, marketing_status, soft_bounces, created_at, updated_at) VALUES
                      (1, 'visitor@example.com', 'subscribed', 0, {early}, {early}),
                      (2, 'imported@example.com', 'subscribed', 0, {early}, {early}),
                      (3, 'left@example.com', 'unsubscribed', 0, {early}, {early}),
                      (4, 'quiet@example.com', 'subscribed', 0, {early}, {early});
                    INSERT INTO tickets (id, channel, status, subject, contact_id, conversation_key, created_at, updated_at) VALUES
                      (1, 'chat', 'open', 'Chat', 1, 'k1', {early}, {early}),
                      (2, 'chat', 'open', 'Chat', 2, 'k2', {late}, {late}),
                      (3, 'email', 'open', 'Mail', 3, 'k3', {early}, {early});
                    """;
                // Constants of this test only, no input: the two dialects write dates differently.
#pragma warning disable EF1002
                await db.Database.ExecuteSqlRawAsync(insert);
#pragma warning restore EF1002
            }

            await services.MigrateCrmDatabaseAsync();

            await using var migrated = await services.GetRequiredService<IDbContextFactory<Crm.Database.CrmDbContext>>().CreateDbContextAsync();
            var statuses = await migrated.Database.SqlQueryRaw<string>("SELECT email || '=' || marketing_status AS \"Value\" FROM contacts ORDER BY id").ToListAsync();
            Assert.Equal(["visitor@example.com=none", "imported@example.com=subscribed", "left@example.com=unsubscribed", "quiet@example.com=subscribed"], statuses);
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
