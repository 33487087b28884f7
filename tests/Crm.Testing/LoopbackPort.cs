using System.Diagnostics;
using System.Net.Sockets;

namespace Crm.Testing;

/// <summary>Waits for a server process to listen on a loopback port.</summary>
public static class LoopbackPort
{
    /// <summary>Returns once 127.0.0.1:<paramref name="port"/> accepts connections; throws if the process exits or time runs out.</summary>
    public static async Task WaitForListenerAsync(int port, Process process, string name, TimeSpan timeout, Func<Task<string>>? diagnostics = null)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                if (process.HasExited)
                {
                    var details = diagnostics is null ? await process.StandardError.ReadToEndAsync() : await diagnostics();
                    throw new InvalidOperationException($"{name} exited: {details}");
                }

                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"{name} did not listen on port {port}");
    }
}
