using Crm.Storage.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;

namespace Crm.Channels.Tests;

/// <summary>
/// The CRM's tables added to an integrator's own SQLite DbContext that already has tables and rows: what
/// <c>dotnet ef migrations add</c> would generate (EF's model differ, as the tool runs it) must create the CRM's tables
/// and leave the integrator's alone, and their rows must read back unchanged.
/// </summary>
public sealed class IntegratorDbContextTests : IDisposable
{
    private static readonly DateTimeOffset PlacedAt = new(2026, 5, 1, 10, 0, 0, TimeSpan.FromHours(2));
    private readonly string _directory = Directory.CreateTempSubdirectory("crm-integrator-").FullName;

    [Fact]
    public async Task Adding_the_crm_to_an_existing_context_alters_none_of_its_tables_and_its_rows_read_back_unchanged()
    {
        var connection = $"Data Source={Path.Combine(_directory, "shop.db")};Pooling=False";
        await using (var before = new ShopContext(Options<ShopContext>(connection)))
        {
            await before.Database.EnsureCreatedAsync();
            before.Orders.Add(new Order { PlacedAt = PlacedAt, Total = 42.5m });
            await before.SaveChangesAsync();
        }

        await using var shopOnly = new ShopContext(Options<ShopContext>(connection));
        await using var withCrm = new ShopWithCrmContext(Options<ShopWithCrmContext>(connection));
        var operations = withCrm.GetService<IMigrationsModelDiffer>().GetDifferences(
            shopOnly.GetService<IDesignTimeModel>().Model.GetRelationalModel(),
            withCrm.GetService<IDesignTimeModel>().Model.GetRelationalModel());

        Assert.DoesNotContain(operations, o => o is AlterColumnOperation or DropColumnOperation or DropTableOperation or RenameColumnOperation);
        Assert.Contains(operations, o => o is CreateTableOperation { Name: "tickets" });
        Assert.Contains(operations, o => o is CreateTableOperation { Name: "campaign_recipients" });
        Assert.Null(withCrm.Model.FindEntityType(typeof(Order))!.FindProperty(nameof(Order.PlacedAt))!.GetValueConverter());
        var order = await withCrm.Orders.SingleAsync();
        Assert.Equal(PlacedAt, order.PlacedAt);
        Assert.Equal(42.5m, order.Total);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static DbContextOptions<T> Options<T>(string connection)
        where T : DbContext
        => new DbContextOptionsBuilder<T>().UseSqlite(connection).Options;

    public sealed class Order
    {
        public int Id { get; set; }

        public DateTimeOffset PlacedAt { get; set; }

        public decimal Total { get; set; }
    }

    public class ShopContext(DbContextOptions options) : DbContext(options)
    {
        public DbSet<Order> Orders => Set<Order>();
    }

    public sealed class ShopWithCrmContext(DbContextOptions<ShopWithCrmContext> options) : ShopContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            base.OnModelCreating(modelBuilder);
            modelBuilder.ApplyCrmChannels();
            modelBuilder.ApplyCrmCampaigns();
            modelBuilder.ApplyCrmSqliteConventions();
        }
    }
}
