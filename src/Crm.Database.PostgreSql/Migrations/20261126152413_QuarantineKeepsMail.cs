using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.PostgreSql.Migrations
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
                type: "character varying(128)",
                maxLength: 128,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "sender",
                table: "quarantined_emails",
                type: "character varying(320)",
                maxLength: 320,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "subject",
                table: "quarantined_emails",
                type: "character varying(512)",
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
