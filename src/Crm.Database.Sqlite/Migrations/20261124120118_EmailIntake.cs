using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class EmailIntake : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "mailbox_checkpoints",
                columns: table => new
                {
                    mailbox = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    uid_validity = table.Column<long>(type: "INTEGER", nullable: false),
                    last_uid = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_mailbox_checkpoints", x => x.mailbox);
                });

            migrationBuilder.CreateTable(
                name: "quarantined_emails",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    source = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    uid = table.Column<long>(type: "INTEGER", nullable: true),
                    reason = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    size = table.Column<long>(type: "INTEGER", nullable: false),
                    quarantined_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_quarantined_emails", x => x.id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "mailbox_checkpoints");

            migrationBuilder.DropTable(
                name: "quarantined_emails");
        }
    }
}
