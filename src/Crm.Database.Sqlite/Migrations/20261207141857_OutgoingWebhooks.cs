using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OutgoingWebhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "webhook_endpoints",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    url = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    events = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    secret = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    previous_secret = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    previous_secret_until = table.Column<long>(type: "INTEGER", nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    disabled_reason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_endpoints", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "webhook_deliveries",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    endpoint_id = table.Column<long>(type: "INTEGER", nullable: false),
                    webhook_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<byte[]>(type: "BLOB", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    last_attempt_at = table.Column<long>(type: "INTEGER", nullable: true),
                    response_status = table.Column<int>(type: "INTEGER", nullable: true),
                    response_excerpt = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    duration_ms = table.Column<int>(type: "INTEGER", nullable: true),
                    lease_owner = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    leased_until = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_deliveries", x => x.id);
                    table.ForeignKey(
                        name: "FK_webhook_deliveries_webhook_endpoints_endpoint_id",
                        column: x => x.endpoint_id,
                        principalTable: "webhook_endpoints",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_webhook_deliveries_endpoint_status",
                table: "webhook_deliveries",
                columns: new[] { "endpoint_id", "status", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "webhook_deliveries");

            migrationBuilder.DropTable(
                name: "webhook_endpoints");
        }
    }
}
