using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Crm.Campaigns.Sending;
using Crm.Mail.OAuth;
using Crm.Security;
using Crm.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Crm.Campaigns.Tests;

/// <summary>
/// The campaign sender speaks SMTP itself (pipelined envelope, BDAT, TLS, AUTH): each extension against a scripted
/// server that offers exactly it, the answers a real server gives (refusals mid-pipeline, SIZE, SMTPUTF8, hang-ups),
/// and servers that misbehave.
/// </summary>
public sealed class SmtpCampaignSenderTests
{
    private static readonly MailboxAddress ReturnPath = new("", "bounces@shop.example");

    [Theory]
    [InlineData(false, false, "DATA")]
    [InlineData(true, false, "DATA")]
    [InlineData(true, true, "BDAT")]
    public async Task A_message_arrives_intact_one_command_at_a_time_pipelined_and_by_bdat(bool pipelining, bool chunking, string command)
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = pipelining, Chunking = chunking };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        await sender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None);

        Assert.Equal(["ann@example.com", "bob@example.com"], server.Accepted);
        Assert.All(server.Messages, m =>
        {
            Assert.Equal(command, m.Command);
            Assert.Contains("\r\n.\r\n..two dots\r\n", m.Content, StringComparison.Ordinal);
            Assert.EndsWith("\r\n", m.Content, StringComparison.Ordinal);
        });
        Assert.Equal(1, server.Connections);
        Assert.Contains(server.Commands, c => c.StartsWith("MAIL FROM:<bounces@shop.example>", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task A_refused_recipient_fails_alone_and_the_connection_carries_the_next_message(bool pipelining, bool chunking)
    {
        await using var server = new ScriptedSmtpServer(address => address.StartsWith("gone", StringComparison.Ordinal) ? "550 5.1.1 No such user" : address.StartsWith("busy", StringComparison.Ordinal) ? "451 4.7.1 Try later" : null)
        {
            Pipelining = pipelining,
            Chunking = chunking,
        };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        var gone = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("gone@example.com"), ReturnPath, CancellationToken.None));
        var busy = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("busy@example.com"), ReturnPath, CancellationToken.None));
        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);

        Assert.True(gone.IsPermanent);
        Assert.Equal(550, gone.StatusCode);
        Assert.Contains("No such user", gone.Message, StringComparison.Ordinal);
        Assert.False(busy.IsPermanent);
        Assert.Equal(451, busy.StatusCode);
        Assert.Equal(["ann@example.com"], server.Accepted);
        Assert.Single(server.Messages);
        Assert.Equal(1, server.Connections);
        // Each refused transaction is reset, so the next MAIL starts clean.
        Assert.Equal(2, server.Commands.Count(c => c == "RSET"));
    }

    [Fact]
    public async Task Starttls_is_used_when_offered_and_the_message_travels_encrypted()
    {
        using var certificate = SelfSignedCertificate();
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, Certificate = certificate };
        await using var sender = Sender(server.Port, o => o.ServerCertificateValidation = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString());

        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);

        Assert.True(Assert.Single(server.Messages).Secure);
        Assert.Equal(2, server.Commands.Count(c => c.StartsWith("EHLO", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_untrusted_certificate_fails_the_connection_and_nothing_is_sent_in_the_clear()
    {
        using var certificate = SelfSignedCertificate();
        await using var server = new ScriptedSmtpServer(_ => null) { Certificate = certificate };
        await using var sender = Sender(server.Port);

        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None));

        Assert.False(failure.IsPermanent);
        Assert.Empty(server.Messages);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Required_starttls_that_the_server_does_not_offer_sends_nothing()
    {
        await using var server = new ScriptedSmtpServer(_ => null);
        await using var sender = Sender(server.Port, o => o.Security = SmtpSecurity.StartTls);

        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None));

        Assert.Contains("STARTTLS", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_text_injected_behind_the_starttls_answer_is_refused_and_nothing_is_sent()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var commands = new List<string>();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await stream.WriteAsync("220 mitm ESMTP\r\n"u8.ToArray());
            while (await reader.ReadLineAsync() is { } line)
            {
                commands.Add(line);
                // What an attacker in the path appends (CVE-2011-0411): an answer the client must not read as encrypted.
                await stream.WriteAsync(line.StartsWith("EHLO", StringComparison.Ordinal) ? "250-mitm\r\n250 STARTTLS\r\n"u8.ToArray() : "220 Ready\r\n250 injected\r\n"u8.ToArray());
            }
        });
        await using var sender = Sender(((IPEndPoint)listener.LocalEndpoint).Port);

        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None));

        Assert.False(failure.IsPermanent);
        Assert.Contains("STARTTLS", failure.Message, StringComparison.Ordinal);
        listener.Stop();
        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_421_closes_the_connection_and_the_next_message_goes_on_a_fresh_one()
    {
        await using var server = new ScriptedSmtpServer(address => address.StartsWith("closing", StringComparison.Ordinal) ? "421 4.3.2 Service shutting down" : null) { Pipelining = true };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        var closing = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("closing@example.com"), ReturnPath, CancellationToken.None));
        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);

        Assert.False(closing.IsPermanent);
        Assert.Equal(421, closing.StatusCode);
        Assert.Equal(["ann@example.com"], server.Accepted);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_is_reported_as_could_not_connect_and_left_to_retry()
    {
        // A port that was free a moment ago: connecting to it is refused at once.
        var port = HostProcess.FreeTcpPort();
        await using var sender = Sender(port);

        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None));

        Assert.False(failure.IsPermanent);
        Assert.StartsWith($"Could not connect to 127.0.0.1:{port}: ", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PLAIN LOGIN", "AUTH PLAIN ")]
    [InlineData("LOGIN", "AUTH LOGIN")]
    public async Task Credentials_are_sent_by_the_best_mechanism_the_server_offers_and_wrong_ones_send_nothing(string offered, string expected)
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Credentials = new NetworkCredential("mailer", "s3cret pässword"), AuthMechanisms = offered };
        await using var sender = Sender(server.Port, o =>
        {
            o.UserName = "mailer";
            o.Password = "s3cret pässword";
        });
        await using var wrong = Sender(server.Port, o =>
        {
            o.UserName = "mailer";
            o.Password = "guess";
        });

        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<CampaignSendException>(() => wrong.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None));

        Assert.Contains(server.Commands, c => c.StartsWith(expected, StringComparison.Ordinal));
        Assert.False(refused.IsPermanent);
        Assert.Contains("refused the credentials", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["ann@example.com"], server.Accepted);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OAuth_signs_in_with_the_exact_XOAUTH2_string_and_a_refused_token_fails_with_the_servers_words_and_no_password(bool bearerOffered)
    {
        await using var oauth = await LocalOAuthServer.StartAsync();
        var accepting = true;
        await using var server = new ScriptedSmtpServer(_ => null) { AcceptToken = (user, token) => accepting && user == "news@crm.example" && oauth.IsActive(token), OAuthBearer = bearerOffered };
        var options = Options.Create(new SmtpOptions { Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, LocalDomain = "crm.test", UserName = "news@crm.example", Password = "never-sent" });
        options.Value.OAuth.TokenEndpoint = oauth.TokenEndpoint;
        options.Value.OAuth.ClientId = oauth.ClientId;
        options.Value.OAuth.ClientSecret = oauth.ClientSecret;
        await using var provider = OAuthServices(options.Value);
        var tokens = provider.GetRequiredService<MailOAuthTokens>();
        await using var sender = new SmtpCampaignSender(options, tokens, NullLogger<SmtpCampaignSender>.Instance);

        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        var token = Assert.Single(oauth.IssuedAccessTokens);
        // Google's documented form: base64("user=" user ^A "auth=Bearer " token ^A ^A), as the initial response.
        var initial = $"user=news@crm.example\u0001auth=Bearer {token}\u0001\u0001";
        Assert.Equal($"AUTH XOAUTH2 {Convert.ToBase64String(Encoding.ASCII.GetBytes(initial))}", Assert.Single(server.Commands, c => c.StartsWith("AUTH ", StringComparison.Ordinal)));

        // The server stops accepting the token: a new connection's sign-in fails with its words, retryable, no password tried.
        accepting = false;
        await using var second = new SmtpCampaignSender(options, tokens, NullLogger<SmtpCampaignSender>.Instance);
        var refused = await Assert.ThrowsAsync<CampaignSendException>(() => second.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None));
        Assert.False(refused.IsPermanent);
        Assert.Contains("535 5.7.8 Username and Password not accepted", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Commands, c => c.StartsWith("AUTH PLAIN", StringComparison.Ordinal) || c.StartsWith("AUTH LOGIN", StringComparison.Ordinal));
        Assert.Equal(["ann@example.com"], server.Accepted);
        var state = Assert.Single(await tokens.StatesAsync(CancellationToken.None));
        Assert.Equal(MailOAuthStatus.NeedsReconnect, state.Status);
    }

    /// <summary>The token cache as the host builds it, with the campaign sender's connection declared.</summary>
    private static ServiceProvider OAuthServices(SmtpOptions options)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<ICrmSecretStore, InMemoryCrmSecretStore>();
        services.AddMailOAuthConnection(SmtpCampaignSender.OAuthConnectionName, _ => new MailOAuthAccount(options.UserName!, options.OAuth));
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Smtp_sink_takes_authenticated_pipelined_messages()
    {
        await using var sink = await SmtpSink.StartAsync();
        await using var sender = Sender(sink.Port, o =>
        {
            o.UserName = "mailer";
            o.Password = "secret";
        });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => sender.SendAsync(Message($"user{i}@example.com"), ReturnPath, CancellationToken.None)));
        await sink.WaitForMessagesAsync(20, TimeSpan.FromSeconds(10));

        var received = sink.MessageFiles().Select(f => SinkMessage.Load(f).Message).ToList();
        Assert.Equal(20, received.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.All(received, m => Assert.Contains("\n.\n..two dots\n", m.TextBody!.ReplaceLineEndings("\n"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_message_over_the_servers_size_limit_fails_permanently_without_being_sent()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, MaxSize = 2_000 };
        await using var sender = Sender(server.Port);
        var large = Message("ann@example.com", new string('x', 5_000));

        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(large, ReturnPath, CancellationToken.None));
        await sender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None);

        Assert.True(failure.IsPermanent);
        Assert.Equal(552, failure.StatusCode);
        Assert.Equal(["bob@example.com"], server.Accepted);
        Assert.Contains(server.Commands, c => c.StartsWith("MAIL FROM:<bounces@shop.example> SIZE=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_internationalised_address_goes_by_smtputf8_where_offered_and_an_idn_domain_as_idna_elsewhere()
    {
        await using var utf8Server = new ScriptedSmtpServer(_ => null) { Pipelining = true, SmtpUtf8 = true };
        await using var plainServer = new ScriptedSmtpServer(_ => null) { Pipelining = true };
        await using var utf8Sender = Sender(utf8Server.Port);
        await using var plainSender = Sender(plainServer.Port);

        await utf8Sender.SendAsync(Message("jöran@exämple.com"), ReturnPath, CancellationToken.None);
        await plainSender.SendAsync(Message("ann@exämple.com"), ReturnPath, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<CampaignSendException>(() => plainSender.SendAsync(Message("jöran@example.com"), ReturnPath, CancellationToken.None));
        await plainSender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None);

        // The To header is UTF-8 now, so the message is 8-bit as well (RFC 6531 3.4).
        Assert.Contains(utf8Server.Commands, c => c == "MAIL FROM:<bounces@shop.example> BODY=8BITMIME SMTPUTF8");
        Assert.Contains("To: jöran@exämple.com", Assert.Single(utf8Server.Messages).Content, StringComparison.Ordinal);
        Assert.Contains(plainServer.Commands, c => c == "MAIL FROM:<bounces@shop.example>");
        Assert.Equal(["jöran@exämple.com"], utf8Server.Accepted);
        Assert.Equal(["ann@xn--exmple-cua.com", "bob@example.com"], plainServer.Accepted);
        Assert.True(refused.IsPermanent);
        Assert.Contains("SMTPUTF8", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Blind_copies_are_envelope_recipients_and_never_a_header()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true };
        await using var sender = Sender(server.Port);
        var message = Message("ann@example.com");
        message.Bcc.Add(MailboxAddress.Parse("audit@shop.example"));

        await sender.SendAsync(message, ReturnPath, CancellationToken.None);

        Assert.Equal(["ann@example.com", "audit@shop.example"], server.Accepted);
        Assert.DoesNotContain("audit@shop.example", Assert.Single(server.Messages).Content, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_the_server_hung_up_is_replaced_and_the_message_sent_once(bool chunking)
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, Chunking = chunking, CloseAfterMessages = 2 };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        // The server hangs up after taking Bob's message, before acknowledging it: its fate is unknown to the sender,
        // which says so (a temporary failure) instead of sending it again on its own.
        var unknown = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None));
        await sender.SendAsync(Message("carol@example.com"), ReturnPath, CancellationToken.None);

        Assert.False(unknown.IsPermanent);
        Assert.Equal(["ann@example.com", "bob@example.com", "carol@example.com"], server.Accepted);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task The_next_envelope_goes_behind_the_previous_message_end_so_a_message_costs_one_round_trip()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, WaitForPipelinedCommand = TimeSpan.FromMilliseconds(300) };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        // Queued together, as the dispatcher keeps two messages per connection in flight.
        await Task.WhenAll(new[] { "ann", "bob", "carol" }.Select(name => sender.SendAsync(Message($"{name}@example.com"), ReturnPath, CancellationToken.None)));

        Assert.Equal(["ann@example.com", "bob@example.com", "carol@example.com"], server.Accepted);
        // Bob's envelope came behind Ann's end and Carol's behind Bob's, before the server answered them; nothing was behind Carol's.
        Assert.Equal(2, server.PipelinedEnds);
        Assert.All(server.Messages, m => Assert.Contains("\r\n.\r\n..two dots\r\n", m.Content, StringComparison.Ordinal));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task A_message_refused_at_its_end_fails_alone_and_the_envelope_behind_it_is_not_reset()
    {
        await using var server = new ScriptedSmtpServer(_ => null)
        {
            Pipelining = true,
            WaitForPipelinedCommand = TimeSpan.FromMilliseconds(300),
            ContentReply = content => content.Contains("WIN A PRIZE", StringComparison.Ordinal) ? "554 5.7.1 Looks like spam" : null,
        };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        var spam = sender.SendAsync(Message("ann@example.com", "WIN A PRIZE"), ReturnPath, CancellationToken.None);
        var fine = sender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<CampaignSendException>(() => spam);
        await fine;
        Assert.True(refused.IsPermanent);
        Assert.Equal(554, refused.StatusCode);
        Assert.Equal(1, server.PipelinedEnds);
        // The refusal ended Ann's transaction; a RSET after it would have landed in Bob's message.
        Assert.DoesNotContain("RSET", server.Commands);
        var message = Assert.Single(server.Messages);
        Assert.DoesNotContain("RSET", message.Content, StringComparison.Ordinal);
        Assert.Equal(["bob@example.com"], server.Accepted);
    }

    [Fact]
    public async Task A_connection_lost_after_a_message_end_leaves_that_message_unknown_and_sends_the_one_behind_it_on_a_fresh_connection()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, CloseAfterMessages = 1 };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        var ann = sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        var bob = sender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None);

        // The server took Ann's message and hung up before answering it: whether it was accepted is unknown, so it is a
        // temporary failure, not sent again here. Bob's envelope was behind Ann's end, his message never reached the
        // server: it goes once more, on a fresh connection.
        var unknown = await Assert.ThrowsAsync<CampaignSendException>(() => ann);
        await bob;
        Assert.False(unknown.IsPermanent);
        Assert.Equal(["ann@example.com", "bob@example.com"], server.Accepted);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_message_given_up_after_its_envelope_went_behind_the_previous_end_takes_its_connection_with_it()
    {
        using var givingUp = new CancellationTokenSource();
        await using var server = new ScriptedSmtpServer(_ => null)
        {
            Pipelining = true,
            // Bob's envelope came with the end of Ann's message; his caller gives up before Ann's message is answered.
            ContentReply = content =>
            {
                if (content.Contains("ann's", StringComparison.Ordinal))
                {
                    givingUp.Cancel();
                }

                return null;
            },
        };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        var ann = sender.SendAsync(Message("ann@example.com", "ann's"), ReturnPath, CancellationToken.None);
        var bob = sender.SendAsync(Message("bob@example.com", "bob's"), ReturnPath, givingUp.Token);
        var carol = sender.SendAsync(Message("carol@example.com", "carol's"), ReturnPath, CancellationToken.None);

        await ann;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bob);
        await carol;
        // The server was waiting for Bob's message: Carol's commands and message must not become it. The connection
        // went with Bob's transaction, unfinished, and Carol's message went on a fresh one.
        Assert.Equal(["ann@example.com", "carol@example.com"], server.Accepted);
        Assert.Contains("carol's", server.Messages[1].Content, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Messages, m => m.Content.Contains("MAIL FROM", StringComparison.Ordinal));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_queued_message_the_server_cannot_take_fails_alone_and_the_next_one_goes_behind_the_end_instead()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, MaxSize = 2_000, WaitForPipelinedCommand = TimeSpan.FromMilliseconds(300) };
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        var ann = sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        var large = sender.SendAsync(Message("bob@example.com", new string('x', 5_000)), ReturnPath, CancellationToken.None);
        var carol = sender.SendAsync(Message("carol@example.com"), ReturnPath, CancellationToken.None);

        await ann;
        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => large);
        await carol;
        Assert.True(failure.IsPermanent);
        Assert.Equal(552, failure.StatusCode);
        Assert.Equal(["ann@example.com", "carol@example.com"], server.Accepted);
        Assert.DoesNotContain(server.Commands, c => c.Contains("bob@", StringComparison.Ordinal));
        // Bob's message was refused before a byte went out, and Carol's envelope took its place behind Ann's end.
        Assert.Equal(1, server.PipelinedEnds);
    }

    [Fact]
    public async Task No_envelope_goes_behind_the_last_message_a_connection_may_carry()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, WaitForPipelinedCommand = TimeSpan.FromMilliseconds(300) };
        await using var sender = Sender(server.Port, o => (o.MaxConnections, o.MessagesPerConnection) = (1, 2));

        await Task.WhenAll(new[] { "ann", "bob", "carol" }.Select(name => sender.SendAsync(Message($"{name}@example.com"), ReturnPath, CancellationToken.None)));

        Assert.Equal(["ann@example.com", "bob@example.com", "carol@example.com"], server.Accepted);
        // Bob's envelope went behind Ann's end; Bob's message was the connection's last, so Carol's went on a new one.
        Assert.Equal(1, server.PipelinedEnds);
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task A_message_still_queued_when_its_caller_gives_up_returns_at_once()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        // A server that accepts and never greets: the one connection is stuck on its first message. (The accept may
        // still be pending when the test ends, if the stuck send was cancelled before it connected: a pending task
        // cannot be disposed, so only the client it produced is.)
        var accepted = listener.AcceptTcpClientAsync();
        try
        {
            await using var sender = Sender(((IPEndPoint)listener.LocalEndpoint).Port, o => o.MaxConnections = 1);
            using var stuckCaller = new CancellationTokenSource();
            using var waitingCaller = new CancellationTokenSource();

            var stuck = sender.SendAsync(Message("ann@example.com"), ReturnPath, stuckCaller.Token);
            var waiting = sender.SendAsync(Message("bob@example.com"), ReturnPath, waitingCaller.Token);
            await waitingCaller.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
            Assert.False(stuck.IsCompleted);
            await stuckCaller.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck);
        }
        finally
        {
            listener.Stop();
            if (accepted.IsCompletedSuccessfully)
            {
                (await accepted).Dispose();
            }
        }
    }

    [Fact]
    public async Task Closing_does_not_wait_on_a_server_that_leaves_quit_unanswered()
    {
        await using var server = new ScriptedSmtpServer(_ => null) { Pipelining = true, IgnoreQuit = true };
        var sender = Sender(server.Port, o => o.Timeout = TimeSpan.FromMinutes(10));
        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);

        // Goodbye is best effort and bounded (2 s), not the 10 minutes a reply to a message may take.
        var closing = sender.DisposeAsync().AsTask();
        Assert.Same(closing, await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Contains("QUIT", server.Commands);
    }

    [Fact]
    public async Task A_reused_connection_found_closed_before_the_message_is_sent_is_retried_on_a_fresh_one()
    {
        await using var server = new IdleClosingServer();
        await using var sender = Sender(server.Port, o => o.MaxConnections = 1);

        await sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None);
        server.DropIdleConnections();
        await sender.SendAsync(Message("bob@example.com"), ReturnPath, CancellationToken.None);

        Assert.Equal(["ann@example.com", "bob@example.com"], server.Accepted);
        Assert.Equal(2, server.Connections);
    }

    [Theory]
    [InlineData("endless line", "longer than")]
    [InlineData("endless reply", "more than")]
    [InlineData("not smtp", "not SMTP")]
    [InlineData("silence", "did not")]
    public async Task A_server_that_does_not_speak_smtp_fails_the_send_quickly_with_bounded_memory(string behaviour, string reason)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(stop.Token);
            var stream = client.GetStream();
            try
            {
                switch (behaviour)
                {
                    case "endless line":
                        await stream.WriteAsync("220 "u8.ToArray(), stop.Token);
                        for (var i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
                        {
                            await stream.WriteAsync(Encoding.ASCII.GetBytes(new string('x', 1024)), stop.Token);
                        }

                        break;
                    case "endless reply":
                        for (var i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
                        {
                            await stream.WriteAsync("220-still greeting\r\n"u8.ToArray(), stop.Token);
                        }

                        break;
                    case "not smtp":
                        await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\n\r\n"u8.ToArray(), stop.Token);
                        break;
                }

                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
            }
        });
        await using var sender = Sender(((IPEndPoint)listener.LocalEndpoint).Port, o => o.Timeout = TimeSpan.FromSeconds(2));

        var failure = await Assert.ThrowsAsync<CampaignSendException>(() => sender.SendAsync(Message("ann@example.com"), ReturnPath, CancellationToken.None));

        Assert.False(failure.IsPermanent);
        Assert.Null(failure.StatusCode);
        // The reply's own cap ended it (a line, a reply's lines), not the 2-second timeout that would end it without one.
        var chain = new List<string>();
        for (Exception? cause = failure; cause is not null; cause = cause.InnerException)
        {
            chain.Add(cause.Message);
        }

        Assert.Contains(chain, message => message.Contains(reason, StringComparison.Ordinal));
        await stop.CancelAsync();
        await serving;
    }

    private static SmtpCampaignSender Sender(int port, Action<SmtpOptions>? configure = null)
    {
        var options = new SmtpOptions { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.Auto, LocalDomain = "crm.test" };
        configure?.Invoke(options);
        return new SmtpCampaignSender(Options.Create(options), NullLogger<SmtpCampaignSender>.Instance);
    }

    private static MimeMessage Message(string to, string? extra = null)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Shop", "news@shop.example"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Dots and more";
        message.Body = new TextPart("plain") { Text = "Hello\n.\n..two dots\n. a dot and a space\n" + extra };
        return message;
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    /// <summary>An SMTP server whose connections can be dropped while idle, as servers do after their idle timeout.</summary>
    private sealed class IdleClosingServer : IAsyncDisposable
    {
        private readonly ScriptedSmtpServer _inner = new(_ => null) { Pipelining = true };
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _clients = [];
        private readonly Task _loop;
        private int _connections;

        public IdleClosingServer()
        {
            _listener.Start();
            _loop = Task.Run(async () =>
            {
                try
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                        Interlocked.Increment(ref _connections);
                        var upstream = new TcpClient();
                        await upstream.ConnectAsync(IPAddress.Loopback, _inner.Port, _stop.Token);
                        lock (_clients)
                        {
                            _clients.Add(client);
                            _clients.Add(upstream);
                        }

                        _ = client.GetStream().CopyToAsync(upstream.GetStream(), _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                        _ = upstream.GetStream().CopyToAsync(client.GetStream(), _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                    }
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
                {
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections => Volatile.Read(ref _connections);

        public IReadOnlyList<string> Accepted => _inner.Accepted;

        /// <summary>Closes every connection now, without a word, as an idle timeout does.</summary>
        public void DropIdleConnections()
        {
            lock (_clients)
            {
                foreach (var client in _clients)
                {
                    client.Client.Shutdown(SocketShutdown.Both);
                    client.Dispose();
                }

                _clients.Clear();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            DropIdleConnections();
            await _loop;
            await _inner.DisposeAsync();
        }
    }
}
