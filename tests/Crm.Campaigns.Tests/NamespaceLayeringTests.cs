using System.Text.RegularExpressions;
using Crm.Testing;

namespace Crm.Campaigns.Tests;

/// <summary>
/// The packages' namespaces form layers: no namespace depends, through its usings, on one that depends back on it.
/// The composition roots (Add… and Map… extensions) live in the framework's namespaces and depend on everything.
/// </summary>
public sealed partial class NamespaceLayeringTests
{
    [Theory]
    [InlineData("Crm.Campaigns")]
    [InlineData("Crm.Channels")]
    [InlineData("Crm.Storage.EfCore")]
    public void A_package_has_no_namespace_cycles(string package)
    {
        var edges = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src", package), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/Migrations/", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var declared = Namespace().Match(text).Groups[1].Value;
            var targets = edges.TryGetValue(declared, out var existing) ? existing : edges[declared] = [];
            foreach (Match used in CrmUsing().Matches(text))
            {
                if (used.Groups[1].Value != declared)
                {
                    targets.Add(used.Groups[1].Value);
                }
            }
        }

        var cycles = new List<string>();
        foreach (var start in edges.Keys)
        {
            FindCycles(start, start, [start], edges, cycles);
        }

        Assert.True(cycles.Count == 0, "Namespace cycles:\n" + string.Join("\n", cycles.Distinct()));
    }

    private static void FindCycles(string start, string current, List<string> path, Dictionary<string, HashSet<string>> edges, List<string> cycles)
    {
        foreach (var next in edges.GetValueOrDefault(current) ?? [])
        {
            if (next == start)
            {
                cycles.Add(string.Join(" -> ", path.Append(start)));
            }
            else if (!path.Contains(next) && path.Count < 8)
            {
                FindCycles(start, next, [.. path, next], edges, cycles);
            }
        }
    }

    [GeneratedRegex(@"^namespace ([\w.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using (Crm\.[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex CrmUsing();
}
