using System.Text;

namespace Crm.Benchmarks.Micro;

/// <summary>A realistic campaign body: about 8 KB of HTML with a few personalised fields.</summary>
public static class BenchmarkData
{
    public static string CampaignBody { get; } = BuildBody();

    private static string BuildBody()
    {
        var html = new StringBuilder("<html><head><title>Autumn</title></head><body><h1>Hello {{ contact.name }}</h1>");
        var paragraph = 0;
        while (html.Length < 8000)
        {
            html.Append("<p>Paragraph ").Append(paragraph++).Append(": our {{ contact.city }} store has new oak tables, linen chairs and hand-thrown ceramics. ")
                .Append("Visit us this week for a private viewing, or <a href=\"https://shop.example/autumn?utm_campaign=autumn\">browse the collection online</a>.</p>");
        }

        return html.Append("<p>Yours, Atelier Nord</p></body></html>").ToString();
    }
}
