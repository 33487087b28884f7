using System.Diagnostics;
using Crm.Testing;
using Npgsql;

namespace Crm.EndToEnd.Tests;

/// <summary>What the tests start does not outlive them, even when the test host is killed.</summary>
public sealed class TestCleanupTests
{
    [Fact]
    public async Task A_server_and_its_children_die_when_the_test_host_that_started_it_is_killed()
    {
        // A stand-in for the test host, killed the way a runner's hang timeout kills one: no exit handler runs.
        using var host = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var watchdog = ProcessWatchdog.Watch(host.Id);
        // A server it started in a group of its own, with a worker of its own (as Dovecot has).
        var start = new ProcessStartInfo("/usr/bin/setsid") { UseShellExecute = false };
        foreach (var argument in (string[])["sh", "-c", "sleep 600 & wait"])
        {
            start.ArgumentList.Add(argument);
        }

        using var server = Process.Start(start)!;
        watchdog.Guard(server.Id);
        var worker = await Poll.UntilAsync(() => Task.FromResult(ChildrenOf(server.Id)), c => c.Count > 0, TimeSpan.FromSeconds(10), "the server's worker");
        try
        {
            Assert.True(Runs(server.Id) && Runs(worker[0]));

            host.Kill();

            await Poll.UntilAsync(() => Task.FromResult(Runs(server.Id) || Runs(worker[0])), running => !running, TimeSpan.FromSeconds(20), "the server and its worker gone");
            await Poll.UntilAsync(() => Task.FromResult(watchdog.Watcher!.HasExited), exited => exited, TimeSpan.FromSeconds(10), "the watchdog gone");
            Assert.False(File.Exists(watchdog.ListPath));
        }
        finally
        {
            // Whatever the outcome, nothing of this test keeps running.
            server.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task A_released_group_is_never_killed_by_the_watchdog()
    {
        using var host = Process.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false })!;
        var watchdog = ProcessWatchdog.Watch(host.Id);
        await using var kept = OwnedProcess.Start(new ProcessStartInfo("sleep", "600") { UseShellExecute = false });
        watchdog.Guard(kept.Id);
        watchdog.Release(kept.Id);

        host.Kill();
        await Poll.UntilAsync(() => Task.FromResult(watchdog.Watcher!.HasExited), exited => exited, TimeSpan.FromSeconds(10), "the watchdog gone");

        Assert.True(Runs(kept.Id));
    }

    [Fact]
    public async Task The_databases_of_a_test_host_that_has_ended_are_dropped_and_a_running_hosts_are_kept()
    {
        var mine = await PostgresServer.CreateDatabaseAsync();
        using var ended = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await ended.WaitForExitAsync();
        var admin = new NpgsqlConnectionStringBuilder(mine) { Database = "postgres" }.ConnectionString;
        var orphan = $"crm_test_{ended.Id}_{Guid.NewGuid().ToString("N")[..16]}";
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {orphan}", connection);
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            var dropped = await PostgresServer.DropDatabasesOfEndedTestHostsAsync(admin);

            Assert.Contains(orphan, dropped);
            Assert.DoesNotContain(new NpgsqlConnectionStringBuilder(mine).Database, dropped);
            await using var connection = new NpgsqlConnection(mine);
            await connection.OpenAsync();
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(mine);
        }
    }

    private static List<int> ChildrenOf(int processId)
    {
        var path = $"/proc/{processId}/task/{processId}/children";
        return File.Exists(path) ? [.. File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)] : [];
    }

    /// <summary>True while the process exists and is not a zombie waiting to be reaped.</summary>
    private static bool Runs(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
