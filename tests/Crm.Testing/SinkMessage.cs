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

    public static IReadOnlyList<SinkMessage> LoadAll(SmtpSink sink) => sink.MessageFiles().Select(Load).ToList();
}
