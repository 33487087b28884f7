using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class TicketQuotedIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ticket_quoted_ids",
                columns: table => new
                {
                    channel = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    external_message_id = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    ticket_id = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ticket_quoted_ids", x => new { x.channel, x.external_message_id });
                    table.ForeignKey(
                        name: "FK_ticket_quoted_ids_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_ticket_quoted_ids_ticket",
                table: "ticket_quoted_ids",
                column: "ticket_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ticket_quoted_ids");
        }
    }
}
