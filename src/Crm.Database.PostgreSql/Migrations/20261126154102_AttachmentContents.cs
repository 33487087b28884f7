using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Crm.Database.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class AttachmentContents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "attachment_chunks",
                columns: table => new
                {
                    upload_id = table.Column<Guid>(type: "uuid", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    data = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachment_chunks", x => new { x.upload_id, x.sequence });
                });

            migrationBuilder.CreateTable(
                name: "attachment_contents",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    upload_id = table.Column<Guid>(type: "uuid", nullable: false),
                    length = table.Column<long>(type: "bigint", nullable: false),
                    stored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachment_contents", x => x.key);
                });

            migrationBuilder.CreateIndex(
                name: "ix_attachment_chunks_created_at",
                table: "attachment_chunks",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_attachment_contents_stored_at",
                table: "attachment_contents",
                column: "stored_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "attachment_chunks");

            migrationBuilder.DropTable(
                name: "attachment_contents");
        }
    }
}
