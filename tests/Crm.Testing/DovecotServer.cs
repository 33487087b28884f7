using System.Diagnostics;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace Crm.Testing;

/// <summary>
/// A real Dovecot IMAP server on a loopback port with its own configuration: a static password for every user,
/// maildirs in a temp folder, the <c>dovecot</c> and <c>dovenull</c> users for its processes (Dovecot refuses to
/// run its login process as root). Can be stopped and started again with the mail kept.
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    public const string UserName = "support";
    public const string Password = "support-password";

    private OwnedProcess? _process;
    private bool _restarting;

    private DovecotServer(string directory, string mail, int port)
    {
        Directory = directory;
        MailDirectory = mail;
        Port = port;
    }

    /// <summary>The maildirs, one per user.</summary>
    public string MailDirectory { get; }

    public string Directory { get; }

    public int Port { get; }

    public static string Executable => File.Exists("/usr/sbin/dovecot") ? "/usr/sbin/dovecot" : "dovecot";

    public static Task<DovecotServer> CreateAsync() => CreateAsync(null);

    /// <summary>
    /// A server that also signs users in with OAuth 2.0 tokens (XOAUTH2 and, unless <paramref name="mechanisms"/> says
    /// otherwise, OAUTHBEARER) through its <c>oauth2</c> passdb, asking <paramref name="introspection"/> (RFC 7662)
    /// whether a token is active; passwords keep working for delivering mail.
    /// </summary>
    public static async Task<DovecotServer> CreateAsync(Uri? introspection, string mechanisms = "xoauth2 oauthbearer")
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Dovecot runs on Linux.");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("crm-dovecot-").FullName;
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "run"));
        var mail = System.IO.Directory.CreateDirectory(Path.Combine(directory, "mail")).FullName;
        await RunAsync("chown", "dovecot:dovecot", mail);
        try
        {
            return await LoopbackPort.StartOnFreePortAsync(async port =>
            {
                var server = new DovecotServer(directory, mail, port);
                var oauth = "";
                if (introspection is not null)
                {
                    var oauthConfig = Path.Combine(directory, "dovecot-oauth2.conf.ext");
                    await File.WriteAllTextAsync(oauthConfig, $"""
                        introspection_mode = post
                        introspection_url = {introspection.AbsoluteUri}
                        force_introspection = yes
                        username_attribute = username
                        active_attribute = active
                        active_value = true
                        """);
                    oauth = $$"""
                        auth_mechanisms = plain login {{mechanisms}}
                        passdb {
                          driver = oauth2
                          mechanisms = {{mechanisms}}
                          args = {{oauthConfig}}
                        }
                        """;
                }

                await File.WriteAllTextAsync(server.ConfigPath, oauth + "\n" + $$"""
                    base_dir = {{directory}}/run
                    state_dir = {{directory}}/run/state
                    log_path = {{directory}}/dovecot.log
                    protocols = imap
                    listen = 127.0.0.1
                    ssl = no
                    disable_plaintext_auth = no
                    {{(introspection is null ? "auth_mechanisms = plain login" : "")}}
                    default_internal_user = dovecot
                    default_internal_group = dovecot
                    default_login_user = dovenull
                    mail_location = maildir:{{mail}}/%u
                    first_valid_uid = 1
                    passdb {
                      driver = static
                      mechanisms = plain login
                      args = password={{Password}}
                    }
                    userdb {
                      driver = static
                      args = uid=dovecot gid=dovecot home={{mail}}/%u
                    }
                    service imap-login {
                      inet_listener imap {
                        address = 127.0.0.1
                        port = {{server.Port}}
                      }
                      inet_listener imaps {
                        port = 0
                      }
                    }
                    service pop3-login {
                      inet_listener pop3 {
                        port = 0
                      }
                    }
                    service submission-login {
                      inet_listener submission {
                        port = 0
                      }
                    }
                    """);
                await server.StartAsync();
                return server;
            });
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    private string ConfigPath => Path.Combine(Directory, "dovecot.conf");

    /// <summary>Starts (again), keeping the mail; waits out a port still held by the previous run.</summary>
    public async Task StartAsync()
    {
        await LoopbackPort.RestartOnSamePortAsync(StartOnceAsync, waitForRelease: _restarting);
    }

    private async Task StartOnceAsync()
    {
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-F");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(ConfigPath);
        _process = OwnedProcess.Start(start);
        var log = Path.Combine(Directory, "dovecot.log");
        await LoopbackPort.WaitForListenerAsync(Port, _process, "dovecot", TimeSpan.FromSeconds(15),
            async () => await _process.Process.StandardError.ReadToEndAsync() + (File.Exists(log) ? await File.ReadAllTextAsync(log) : ""));
    }

    /// <summary>Stops the server: connections drop and the port refuses until <see cref="StartAsync()"/>.</summary>
    public async Task StopAsync()
    {
        _restarting = true;
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
        // Children (imap, auth) may outlive the master for a moment; wait until the port is closed.
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    /// <summary>Delivers a message into the support mailbox's INBOX, as an MTA would (optionally already read).</summary>
    public async Task DeliverAsync(byte[] raw, bool seen = false)
    {
        using var client = new ImapClient();
        await client.ConnectAsync("127.0.0.1", Port, SecureSocketOptions.None);
        await client.AuthenticateAsync(UserName, Password);
        using var stream = new MemoryStream(raw);
        var message = await MimeMessage.LoadAsync(stream);
        await client.Inbox.AppendAsync(new AppendRequest(message, seen ? MessageFlags.Seen : MessageFlags.None));
        await client.DisconnectAsync(true);
    }

    /// <summary>
    /// Delivers a message straight into the support user's maildir, as a local delivery agent would while the IMAP
    /// server is down: the poller finds it once it can connect again.
    /// </summary>
    public async Task DeliverToMaildirAsync(byte[] raw)
    {
        var maildir = Path.Combine(MailDirectory, UserName);
        foreach (var folder in new[] { "cur", "new", "tmp" })
        {
            System.IO.Directory.CreateDirectory(Path.Combine(maildir, folder));
        }

        var name = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.{Guid.NewGuid():N}.crm-tests";
        var partial = Path.Combine(maildir, "tmp", name);
        await File.WriteAllBytesAsync(partial, raw);
        await RunAsync("chown", "-R", "dovecot:dovecot", maildir);
        File.Move(partial, Path.Combine(maildir, "new", name));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { UseShellExecute = false }) ?? throw new InvalidOperationException(command + " did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}");
        }
    }
}
