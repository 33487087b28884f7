using System.Text;
using Crm.Admin.Pages.Contacts;
using Crm.Campaigns.Contacts;

namespace Crm.EndToEnd.Tests;

/// <summary>The admin UI's CSV reader (RFC 4180), fed what spreadsheets and hand-edited files produce.</summary>
public sealed class ContactCsvTests
{
    private static Task<List<Crm.Campaigns.Contacts.ContactImportRow?>> ReadAsync(string csv, bool bom = false)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        var stream = new MemoryStream(bom ? [.. Encoding.UTF8.GetPreamble(), .. bytes] : bytes);
        return ContactCsv.ReadAsync(stream, CancellationToken.None);
    }

    [Fact]
    public async Task Quoted_fields_keep_commas_quotes_and_line_breaks_and_other_columns_become_attributes()
    {
        var rows = await ReadAsync("Email,Name,Tags,City\r\nann@example.com,\"Ann \"\"The Boss\"\", Jr.\",\"vip; gold\",\"Porto\r\nNorth\"\r\n\r\nbob@example.com,Bob,,\r\n", bom: true);

        Assert.Equal(2, rows.Count);
        Assert.Equal("ann@example.com", rows[0]!.Email);
        Assert.Equal("Ann \"The Boss\", Jr.", rows[0]!.Name);
        Assert.Equal(["vip", "gold"], rows[0]!.Tags);
        Assert.Equal(new Dictionary<string, string> { ["City"] = "Porto\r\nNorth" }, rows[0]!.Attributes);
        Assert.Null(rows[1]!.Tags);
        Assert.Null(rows[1]!.Attributes);
    }

    [Theory]
    [InlineData("name,city\nAnn,Oslo\n", "include 'email'")]
    [InlineData("email,name\nann@example.com,\"Ann\n", "not closed")]
    public async Task A_file_without_an_email_column_or_with_an_unclosed_quote_is_refused_with_the_reason(string csv, string reason)
    {
        var failure = await Assert.ThrowsAsync<FormatException>(() => ReadAsync(csv));

        Assert.Contains(reason, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_has_no_rows()
        => Assert.Empty(await ReadAsync(""));
}
