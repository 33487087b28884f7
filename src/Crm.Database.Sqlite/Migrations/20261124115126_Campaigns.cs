using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class Campaigns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bulk_email_campaigns",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    subject = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    segment_criteria = table.Column<string>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    pause_reason = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    scheduled_at = table.Column<long>(type: "INTEGER", nullable: true),
                    launched_at = table.Column<long>(type: "INTEGER", nullable: true),
                    completed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    from_address = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    from_name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    tracking_base_url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    recipient_count = table.Column<int>(type: "INTEGER", nullable: false),
                    sent_count = table.Column<int>(type: "INTEGER", nullable: false),
                    failed_count = table.Column<int>(type: "INTEGER", nullable: false),
                    skipped_count = table.Column<int>(type: "INTEGER", nullable: false),
                    open_count = table.Column<int>(type: "INTEGER", nullable: false),
                    total_opens = table.Column<int>(type: "INTEGER", nullable: false),
                    unsubscribe_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bulk_email_campaigns", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "crm_settings",
                columns: table => new
                {
                    key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    value = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_crm_settings", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "campaign_recipients",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    campaign_id = table.Column<long>(type: "INTEGER", nullable: false),
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    next_attempt_at = table.Column<long>(type: "INTEGER", nullable: false),
                    lease_until = table.Column<long>(type: "INTEGER", nullable: false),
                    lease_owner = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    sent_at = table.Column<long>(type: "INTEGER", nullable: true),
                    first_opened_at = table.Column<long>(type: "INTEGER", nullable: true),
                    open_count = table.Column<int>(type: "INTEGER", nullable: false),
                    unsubscribed_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaign_recipients", x => x.id);
                    table.ForeignKey(
                        name: "FK_campaign_recipients_bulk_email_campaigns_campaign_id",
                        column: x => x.campaign_id,
                        principalTable: "bulk_email_campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_campaign_recipients_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_bulk_email_campaigns_status_scheduled",
                table: "bulk_email_campaigns",
                columns: new[] { "status", "scheduled_at" });

            migrationBuilder.CreateIndex(
                name: "IX_campaign_recipients_contact_id",
                table: "campaign_recipients",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ix_campaign_recipients_state_id",
                table: "campaign_recipients",
                columns: new[] { "state", "id" });

            migrationBuilder.CreateIndex(
                name: "ux_campaign_recipients_campaign_contact",
                table: "campaign_recipients",
                columns: new[] { "campaign_id", "contact_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_campaign_recipients_campaign_email",
                table: "campaign_recipients",
                columns: new[] { "campaign_id", "email" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaign_recipients");

            migrationBuilder.DropTable(
                name: "crm_settings");

            migrationBuilder.DropTable(
                name: "bulk_email_campaigns");
        }
    }
}
