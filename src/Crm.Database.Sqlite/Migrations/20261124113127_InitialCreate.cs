using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "contacts",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    email = table.Column<string>(type: "TEXT", maxLength: 320, nullable: true),
                    phone = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    marketing_status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_contacts", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "contact_attributes",
                columns: table => new
                {
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    value = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_contact_attributes", x => new { x.contact_id, x.name });
                    table.ForeignKey(
                        name: "FK_contact_attributes_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "contact_tags",
                columns: table => new
                {
                    contact_id = table.Column<long>(type: "INTEGER", nullable: false),
                    tag = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_contact_tags", x => new { x.contact_id, x.tag });
                    table.ForeignKey(
                        name: "FK_contact_tags_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "tickets",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    channel = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    subject = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    contact_id = table.Column<long>(type: "INTEGER", nullable: true),
                    conversation_key = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_tickets", x => x.id);
                    table.ForeignKey(
                        name: "FK_tickets_contacts_contact_id",
                        column: x => x.contact_id,
                        principalTable: "contacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "ticket_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ticket_id = table.Column<long>(type: "INTEGER", nullable: false),
                    direction = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    channel = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    external_message_id = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    author = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    text = table.Column<string>(type: "TEXT", nullable: false),
                    html = table.Column<string>(type: "TEXT", nullable: true),
                    attachments = table.Column<string>(type: "TEXT", nullable: true),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ticket_messages", x => x.id);
                    table.ForeignKey(
                        name: "FK_ticket_messages_tickets_ticket_id",
                        column: x => x.ticket_id,
                        principalTable: "tickets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_contact_attributes_name_value",
                table: "contact_attributes",
                columns: new[] { "name", "value" });

            migrationBuilder.CreateIndex(
                name: "ix_contact_tags_tag",
                table: "contact_tags",
                columns: new[] { "tag", "contact_id" });

            migrationBuilder.CreateIndex(
                name: "ix_contacts_created_at",
                table: "contacts",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ux_contacts_email",
                table: "contacts",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_contacts_phone",
                table: "contacts",
                column: "phone",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ticket_messages_ticket_received",
                table: "ticket_messages",
                columns: new[] { "ticket_id", "received_at" });

            migrationBuilder.CreateIndex(
                name: "ux_ticket_messages_channel_external_id",
                table: "ticket_messages",
                columns: new[] { "channel", "external_message_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_tickets_contact_channel_status",
                table: "tickets",
                columns: new[] { "contact_id", "channel", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_tickets_updated_at",
                table: "tickets",
                column: "updated_at");

            migrationBuilder.CreateIndex(
                name: "ux_tickets_conversation_key",
                table: "tickets",
                column: "conversation_key",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "contact_attributes");

            migrationBuilder.DropTable(
                name: "contact_tags");

            migrationBuilder.DropTable(
                name: "ticket_messages");

            migrationBuilder.DropTable(
                name: "tickets");

            migrationBuilder.DropTable(
                name: "contacts");
        }
    }
}
