using System.Diagnostics;
using Npgsql;

namespace Crm.Testing;

/// <summary>
/// The tests' PostgreSQL server, started idempotently by <c>.ci/postgres.sh</c> (a cluster of its own on
/// 127.0.0.1), and throw-away databases on it, one per test class.
/// </summary>
public static class PostgresServer
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _adminConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var admin = await AdminConnectionStringAsync();
        var name = "crm_test_" + Guid.NewGuid().ToString("N")[..16];
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
            }

            return _adminConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }
}
