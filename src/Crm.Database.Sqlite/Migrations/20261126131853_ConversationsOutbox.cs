using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ConversationsOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "delivery_attempts",
                table: "ticket_messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "delivery_error",
                table: "ticket_messages",
                type: "TEXT",
                maxLength: 1024,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "delivery_status",
                table: "ticket_messages",
                type: "TEXT",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "identity_verified",
                table: "ticket_messages",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "leased_until",
                table: "ticket_messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "next_attempt_at",
                table: "ticket_messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "offline_copy_due_at",
                table: "ticket_messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "template",
                table: "ticket_messages",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_ticket_messages_offline_copy",
                table: "ticket_messages",
                column: "offline_copy_due_at");

            migrationBuilder.CreateIndex(
                name: "ix_ticket_messages_outbox",
                table: "ticket_messages",
                columns: new[] { "delivery_status", "next_attempt_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_ticket_messages_offline_copy",
                table: "ticket_messages");

            migrationBuilder.DropIndex(
                name: "ix_ticket_messages_outbox",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "delivery_attempts",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "delivery_error",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "delivery_status",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "identity_verified",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "leased_until",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "next_attempt_at",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "offline_copy_due_at",
                table: "ticket_messages");

            migrationBuilder.DropColumn(
                name: "template",
                table: "ticket_messages");
        }
    }
}
