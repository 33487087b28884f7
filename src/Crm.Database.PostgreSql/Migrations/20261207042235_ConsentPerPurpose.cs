using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class ConsentPerPurpose : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "marketing_status_changed_at",
                table: "contacts",
                type: "timestamp with time zone",
                nullable: true);

            // Consent per purpose: a contact the intake created (its first ticket is no later than the contact itself:
            // the pipeline creates both at the message's time) never asked for marketing mail. Imported and confirmed
            // contacts predate their tickets and stay subscribed.
            migrationBuilder.Sql(
                """
                UPDATE contacts SET marketing_status = 'none'
                WHERE marketing_status = 'subscribed'
                  AND EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = contacts.id AND t.created_at <= contacts.created_at);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE contacts SET marketing_status = 'subscribed' WHERE marketing_status = 'none';");

            migrationBuilder.DropColumn(
                name: "marketing_status_changed_at",
                table: "contacts");
        }
    }
}
