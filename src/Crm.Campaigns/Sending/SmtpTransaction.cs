namespace Crm.Campaigns.Sending;

/// <summary>
/// One message as a connection sends it (<see cref="SmtpConnection.Prepare"/>): its bytes serialised for the wire, its
/// envelope commands, and how far it got. A connection lane reuses two of them, one for the message being sent and one
/// for the message whose envelope goes behind its end.
/// </summary>
internal sealed class SmtpTransaction
{
    private const int InitialCapacity = 32 * 1024;

    /// <summary>A message larger than this (an attachment-heavy one) does not keep its buffer for the ones after it.</summary>
    private const int MaxKeptCapacity = 1024 * 1024;

    /// <summary>The message serialised for the wire (not yet dot-stuffed).</summary>
    public MemoryStream Content { get; } = new(InitialCapacity);

    /// <summary>The serialised message.</summary>
    public ReadOnlySpan<byte> Bytes => Content.GetBuffer().AsSpan(0, (int)Content.Length);

    /// <summary>The <c>MAIL FROM</c> command line, CRLF included.</summary>
    public string MailFrom { get; set; } = "";

    /// <summary>One <c>RCPT TO</c> command line per recipient, CRLF included.</summary>
    public string[] RcptTo { get; set; } = [];

    /// <summary>Whether the envelope is on the wire of the connection that prepared it (possibly behind the previous message's end).</summary>
    public bool EnvelopeWritten { get; set; }

    /// <summary>
    /// Whether the message's end reached the server (the final dot, or the last <c>BDAT</c> chunk), so a failure after it
    /// may follow an acceptance the reply of which was lost. Before it, the server cannot have taken the message.
    /// </summary>
    public bool EndSent { get; set; }

    /// <summary>Empties the transaction for another message.</summary>
    public void Reset()
    {
        Content.SetLength(0);
        if (Content.Capacity > MaxKeptCapacity)
        {
            Content.Capacity = InitialCapacity;
        }

        MailFrom = "";
        RcptTo = [];
        EnvelopeWritten = false;
        EndSent = false;
    }
}
