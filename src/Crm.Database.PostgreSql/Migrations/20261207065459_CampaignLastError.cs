using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class CampaignLastError : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "last_error",
                table: "bulk_email_campaigns",
                type: "character varying(1024)",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_error_at",
                table: "bulk_email_campaigns",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "last_error",
                table: "bulk_email_campaigns");

            migrationBuilder.DropColumn(
                name: "last_error_at",
                table: "bulk_email_campaigns");
        }
    }
}
