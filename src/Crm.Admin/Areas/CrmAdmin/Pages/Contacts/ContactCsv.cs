using System.Text;
using Crm.Campaigns.Contacts;

namespace Crm.Admin.Pages.Contacts;

/// <summary>
/// Reads a contacts CSV: a header row naming <c>email</c>, <c>name</c>, <c>phone</c>, <c>tags</c> (separated by
/// <c>;</c>) and any other column as an attribute. Quoted fields (RFC 4180) may hold commas, quotes and line breaks.
/// </summary>
internal static class ContactCsv
{
    private static readonly HashSet<string> KnownColumns = new(StringComparer.OrdinalIgnoreCase) { "email", "name", "phone", "tags" };

    public static async Task<List<ContactImportRow?>> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        var text = await reader.ReadToEndAsync(cancellationToken);
        var records = Parse(text);
        if (records.Count == 0)
        {
            return [];
        }

        var header = records[0].Select(h => h.Trim()).ToList();
        if (!header.Contains("email", StringComparer.OrdinalIgnoreCase))
        {
            throw new FormatException("The first row must name the columns and include 'email'.");
        }

        var rows = new List<ContactImportRow?>();
        foreach (var record in records.Skip(1).Where(r => r.Any(field => field.Length > 0)))
        {
            string? Field(string name)
            {
                var index = header.FindIndex(h => h.Equals(name, StringComparison.OrdinalIgnoreCase));
                return index >= 0 && index < record.Count && record[index].Length > 0 ? record[index] : null;
            }

            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count && i < record.Count; i++)
            {
                if (!KnownColumns.Contains(header[i]) && record[i].Length > 0)
                {
                    attributes[header[i]] = record[i];
                }
            }

            rows.Add(new ContactImportRow
            {
                Email = Field("email"),
                Name = Field("name"),
                Phone = Field("phone"),
                Tags = Field("tags")?.Split([';', '|'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                Attributes = attributes.Count > 0 ? attributes : null,
            });
        }

        return rows;
    }

    private static List<List<string>> Parse(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(field.ToString());
                field.Clear();
            }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                record.Add(field.ToString());
                field.Clear();
                records.Add(record);
                record = [];
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            throw new FormatException("A quoted field is not closed: a \" is missing before the end of the file.");
        }

        if (field.Length > 0 || record.Count > 0)
        {
            record.Add(field.ToString());
            records.Add(record);
        }

        return records;
    }
}
