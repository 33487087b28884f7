using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DeliverabilityTracking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "soft_bounces",
                table: "contacts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "bounced_at",
                table: "campaign_recipients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "click_count",
                table: "campaign_recipients",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "complained_at",
                table: "campaign_recipients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "first_clicked_at",
                table: "campaign_recipients",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "machine_open_count",
                table: "campaign_recipients",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "bounce_count",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "click_count",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "complaint_count",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "links",
                table: "bulk_email_campaigns",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "machine_opens",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "reply_to",
                table: "bulk_email_campaigns",
                type: "TEXT",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "total_clicks",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "track_clicks",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.AddColumn<bool>(
                name: "track_opens",
                table: "bulk_email_campaigns",
                type: "INTEGER",
                nullable: false,
                defaultValue: true);

            migrationBuilder.CreateTable(
                name: "campaign_link_clicks",
                columns: table => new
                {
                    campaign_id = table.Column<long>(type: "INTEGER", nullable: false),
                    link_index = table.Column<int>(type: "INTEGER", nullable: false),
                    recipient_id = table.Column<long>(type: "INTEGER", nullable: false),
                    clicks = table.Column<int>(type: "INTEGER", nullable: false),
                    first_clicked_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_campaign_link_clicks", x => new { x.campaign_id, x.link_index, x.recipient_id });
                    table.ForeignKey(
                        name: "FK_campaign_link_clicks_bulk_email_campaigns_campaign_id",
                        column: x => x.campaign_id,
                        principalTable: "bulk_email_campaigns",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_campaign_link_clicks_campaign_recipients_recipient_id",
                        column: x => x.recipient_id,
                        principalTable: "campaign_recipients",
                        principalColumn: "id");
                });

            migrationBuilder.CreateTable(
                name: "webhook_receipts",
                columns: table => new
                {
                    provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    event_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_webhook_receipts", x => new { x.provider, x.event_id });
                });

            migrationBuilder.CreateIndex(
                name: "IX_campaign_link_clicks_recipient_id",
                table: "campaign_link_clicks",
                column: "recipient_id");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_receipts_received_at",
                table: "webhook_receipts",
                column: "received_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "campaign_link_clicks");

            migrationBuilder.DropTable(
                name: "webhook_receipts");

            migrationBuilder.DropColumn(
                name: "soft_bounces",
                table: "contacts");

            migrationBuilder.DropColumn(
                name: "bounced_at",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "click_count",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "complained_at",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "first_clicked_at",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "machine_open_count",
                table: "campaign_recipients");

            migrationBuilder.DropColumn(
                name: "bounce_count",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "click_count",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "complaint_count",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "links",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "machine_opens",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "reply_to",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "total_clicks",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "track_clicks",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "track_opens",
                table: "bulk_email_campaigns");
        }
    }
}
