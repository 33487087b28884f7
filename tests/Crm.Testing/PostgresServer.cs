using System.Diagnostics;
using Npgsql;

namespace Crm.Testing;

/// <summary>
/// The tests' PostgreSQL server, started idempotently by <c>.ci/postgres.sh</c> (a cluster of its own on
/// 127.0.0.1), and throw-away databases on it, one per test class.
/// </summary>
public static class PostgresServer
{
    private const string DatabasePrefix = "crm_test_";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionStringAsync();
        // The test host's process id in the name: a later run drops the databases of hosts that are gone (killed, or a
        // class whose InitializeAsync threw, for which xunit never calls DisposeAsync).
        var name = $"{DatabasePrefix}{Environment.ProcessId}_{Guid.NewGuid().ToString("N")[..16]}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing whatever still uses it.</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> AdminConnectionStringAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_adminConnectionString is null)
            {
                var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, ".ci", "postgres.sh"));
                using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
                // A script that waits on its lock for ever would otherwise hang the whole run until the runner's
                // hang timeout; two minutes covers initdb and start on a cold machine.
                using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                string output, errors;
                try
                {
                    var readOutput = process.StandardOutput.ReadToEndAsync(deadline.Token);
                    var readErrors = process.StandardError.ReadToEndAsync(deadline.Token);
                    output = await readOutput;
                    errors = await readErrors;
                    await process.WaitForExitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new TimeoutException(".ci/postgres.sh did not finish within two minutes");
                }

                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($".ci/postgres.sh failed ({process.ExitCode}): {errors}");
                }

                _adminConnectionString = output.Trim();
                await DropDatabasesOfEndedTestHostsAsync(_adminConnectionString);
            }

            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Drops the test databases whose test host has ended (its process id in the name no longer runs), and those named
    /// before names carried one. A run that is still going on this machine keeps its databases.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DropDatabasesOfEndedTestHostsAsync(string adminConnectionString)
    {
        var dropped = new List<string>();
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'crm\\_test\\_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }

        foreach (var name in names)
        {
            var owner = name[DatabasePrefix.Length..].Split('_')[0];
            if (owner.Length < 16 && int.TryParse(owner, out var processId) && IsRunning(processId))
            {
                continue;
            }

            // Names come from pg_database and match the pattern above: letters, digits and underscores only.
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            dropped.Add(name);
        }

        return dropped;
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
