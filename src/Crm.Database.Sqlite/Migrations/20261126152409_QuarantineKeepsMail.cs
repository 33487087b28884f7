using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class QuarantineKeepsMail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "raw_key",
                table: "quarantined_emails",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sender",
                table: "quarantined_emails",
                type: "TEXT",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "subject",
                table: "quarantined_emails",
                type: "TEXT",
                maxLength: 512,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "raw_key",
                table: "quarantined_emails");

            migrationBuilder.DropColumn(
                name: "sender",
                table: "quarantined_emails");

            migrationBuilder.DropColumn(
                name: "subject",
                table: "quarantined_emails");
        }
    }
}
