using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class OtherSender : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "other_sender",
                table: "ticket_messages",
                type: "TEXT",
                maxLength: 320,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "other_sender",
                table: "ticket_messages");
        }
    }
}
