using System.Diagnostics;
using System.Net.Sockets;

namespace Crm.Testing;

/// <summary>Waits for a server process to listen on a loopback port.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// Returns once 127.0.0.1:<paramref name="port"/> accepts connections. When the process exits or time runs out it
    /// kills the process (so nothing is left running) and throws with <paramref name="diagnostics"/> or its standard error.
    /// </summary>
    public static async Task WaitForListenerAsync(int port, OwnedProcess process, string name, TimeSpan timeout, Func<Task<string>>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(process);
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
                    var details = diagnostics is null ? await process.Process.StandardError.ReadToEndAsync() : await diagnostics();
                    await process.KillAsync();
                    throw new PortUnavailableException($"{name} exited: {details}", details.Contains("in use", StringComparison.OrdinalIgnoreCase));
                }

                await Task.Delay(50);
            }
        }

        await process.KillAsync();
        throw new TimeoutException($"{name} did not listen on port {port} within {timeout}");
    }

    /// <summary>
    /// Starts a server (again) on its own port; after a stop (<paramref name="waitForRelease"/>) the port may still be held
    /// for a moment, so "address in use" is retried for up to five seconds. On a first start it is not: the caller picks another port.
    /// </summary>
    public static async Task RestartOnSamePortAsync(Func<Task> start, bool waitForRelease)
    {
        ArgumentNullException.ThrowIfNull(start);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await start();
                return;
            }
            catch (PortUnavailableException ex) when (ex.AddressInUse && waitForRelease && attempt < 20)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>
    /// Starts a server on a free port, trying another port when the one picked was taken meanwhile (a free port is only
    /// known to be free until somebody binds it).
    /// </summary>
    public static async Task<T> StartOnFreePortAsync<T>(Func<int, Task<T>> start, int attempts = 5)
    {
        ArgumentNullException.ThrowIfNull(start);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await start(HostProcess.FreeTcpPort());
            }
            catch (PortUnavailableException ex) when (ex.AddressInUse && attempt < attempts)
            {
            }
        }
    }
}

/// <summary>A server did not come up; <see cref="AddressInUse"/> when its port was taken.</summary>
public sealed class PortUnavailableException(string message, bool addressInUse) : InvalidOperationException(message)
{
    public bool AddressInUse { get; } = addressInUse;
}
