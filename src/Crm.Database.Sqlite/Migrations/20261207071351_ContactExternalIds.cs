using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ContactExternalIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "contact_external_ids",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    external_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_contact_external_ids", x => x.id);
                    table.ForeignKey(
                        name: "FK_contact_external_ids_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_contact_external_ids_contact",
                table: "contact_external_ids",
                column: "contact_id");

            migrationBuilder.CreateIndex(
                name: "ux_contact_external_ids_channel_id",
                table: "contact_external_ids",
                columns: new[] { "channel", "external_id" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "contact_external_ids");
        }
    }
}
