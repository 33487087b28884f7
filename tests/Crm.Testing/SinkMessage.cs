using MimeKit;

namespace Crm.Testing;

/// <summary>A message as smtp-sink dumped it: its envelope recipients and the parsed MIME message.</summary>
public sealed record SinkMessage(IReadOnlyList<string> EnvelopeRecipients, MimeMessage Message)
{
    public static SinkMessage Load(string path)
    {
        var message = MimeMessage.Load(path);
        var recipients = message.Headers.Where(h => h.Field == "X-Rcpt-Args").Select(h => h.Value.Trim().Trim('<', '>').ToLowerInvariant()).ToList();
        return new SinkMessage(recipients, message);
    }

    /// <summary>
    /// The messages in the sink's folder. A file cut short because the sink was killed mid-transfer (the outage tests
    /// do that) held a message the server never accepted: it is left out.
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
}
