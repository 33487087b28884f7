using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class CampaignTraceParent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "trace_parent",
                table: "bulk_email_campaigns",
                type: "TEXT",
                maxLength: 55,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "trace_parent",
                table: "bulk_email_campaigns");
        }
    }
}
