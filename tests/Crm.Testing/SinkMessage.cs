using MimeKit;

namespace Crm.Testing;

/// <summary>A message as smtp-sink dumped it: its envelope recipients and the parsed MIME message.</summary>
public sealed record SinkMessage(IReadOnlyList<string> EnvelopeRecipients, MimeMessage Message)
{
    public static SinkMessage Load(string path)
    {
        var message = MimeMessage.Load(path);
        if (!IsComplete(message, path))
        {
            throw new FormatException($"{path} is a transfer cut short.");
        }

        var recipients = message.Headers.Where(h => h.Field == "X-Rcpt-Args").Select(h => h.Value.Trim().Trim('<', '>').ToLowerInvariant()).ToList();
        return new SinkMessage(recipients, message);
    }

    /// <summary>
    /// The messages the sink accepted. smtp-sink creates a dump at MAIL FROM, so a transfer cut short because the sink
    /// was killed (the outage tests do that) leaves a file for a message the server never accepted: it is left out.
    /// A dump is complete when its multipart body reaches the closing boundary (every campaign message is multipart/alternative).
    /// </summary>
    public static IReadOnlyList<SinkMessage> LoadAll(SmtpSink sink)
    {
        var messages = new List<SinkMessage>();
        foreach (var file in sink.MessageFiles())
        {
            try
            {
                messages.Add(Load(file));
            }
            catch (FormatException)
            {
            }
        }

        return messages;
    }

    private static bool IsComplete(MimeMessage message, string path)
    {
        if (message.Body is not Multipart multipart)
        {
            return message.Body is not null;
        }

        var text = File.ReadAllText(path);
        return text.Contains("--" + multipart.Boundary + "--", StringComparison.Ordinal);
    }
}
