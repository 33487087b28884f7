using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Crm.Campaigns.Tests;

/// <summary>
/// The packages' namespaces form layers, checked on the compiled assemblies (every type a type's signatures, attributes
/// and method bodies reference, fully qualified or not): no namespace depends on one that depends back on it. The
/// composition roots (Add… and Map… extensions) live in the framework's namespaces and may depend on everything, so
/// nothing of the package may depend on them — which is why only extension classes belong there.
/// </summary>
public sealed class NamespaceLayeringTests
{
    public static TheoryData<string> Packages() =>
    [
        "Crm.Core", "Crm.Channels", "Crm.Campaigns", "Crm.Admin",
        "Crm.Storage.EfCore", "Crm.Storage.EfCore.Channels", "Crm.Storage.EfCore.Campaigns", "Crm.Storage.EfCore.Sqlite", "Crm.Storage.EfCore.PostgreSql", "Crm.Database",
    ];

    [Theory]
    [MemberData(nameof(Packages))]
    public void A_package_has_no_namespace_cycles(string package)
    {
        var edges = NamespaceEdges(Path.Combine(AppContext.BaseDirectory, package + ".dll"));

        var cycles = StronglyConnected(edges).Where(c => c.Count > 1).Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal))).ToList();

        Assert.True(cycles.Count == 0, $"Namespace cycles in {package}:\n" + string.Join("\n", cycles.Select(c => $"  {c}: " + Explain(edges, c))));
    }

    [Theory]
    [MemberData(nameof(Packages))]
    public void Only_extension_classes_live_in_the_frameworks_namespaces(string package)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(Path.Combine(AppContext.BaseDirectory, package + ".dll"));

        var misplaced = assembly.MainModule.Types
            .Where(t => t.IsPublic && (t.Namespace.StartsWith("Microsoft.", StringComparison.Ordinal) || t.Namespace.StartsWith("OpenTelemetry.", StringComparison.Ordinal)))
            .Where(t => !(t.IsAbstract && t.IsSealed && t.Methods.Where(m => m.IsPublic).All(m => m.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.ExtensionAttribute"))))
            .Select(t => t.FullName)
            .ToList();

        Assert.True(misplaced.Count == 0, "Not extension classes, yet in a framework namespace: " + string.Join(", ", misplaced));
    }

    /// <summary>Namespace → namespaces of this assembly it references (a nested type counts as its declaring type's).</summary>
    private static Dictionary<string, Dictionary<string, string>> NamespaceEdges(string path)
    {
        using var assembly = AssemblyDefinition.ReadAssembly(path);
        var module = assembly.MainModule;
        var own = module.GetTypes().Select(t => t.FullName).ToHashSet(StringComparer.Ordinal);
        // From namespace → to namespace → one example "Type uses Type", for the failure message.
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in module.GetTypes())
        {
            var from = NamespaceOf(type);
            if (from.Length == 0)
            {
                continue;
            }

            var targets = edges.TryGetValue(from, out var existing) ? existing : edges[from] = new(StringComparer.Ordinal);
            foreach (var referenced in References(type))
            {
                var resolved = Outermost(referenced);
                if (resolved is null || !own.Contains(resolved.FullName))
                {
                    continue;
                }

                var to = resolved.Namespace;
                if (to.Length > 0 && to != from)
                {
                    targets.TryAdd(to, $"{type.FullName} uses {resolved.FullName}");
                }
            }
        }

        return edges;
    }

    private static string NamespaceOf(TypeDefinition type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type.Namespace;
    }

    private static TypeReference? Outermost(TypeReference? type)
    {
        while (type is TypeSpecification specification)
        {
            type = specification.ElementType;
        }

        while (type?.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    private static IEnumerable<TypeReference> References(TypeDefinition type)
    {
        IEnumerable<TypeReference> Expand(TypeReference? reference)
        {
            if (reference is null)
            {
                yield break;
            }

            yield return reference;
            if (reference is GenericInstanceType generic)
            {
                foreach (var argument in generic.GenericArguments.SelectMany(Expand))
                {
                    yield return argument;
                }
            }

            if (reference is TypeSpecification specification && specification.ElementType is { } element)
            {
                foreach (var inner in Expand(element))
                {
                    yield return inner;
                }
            }
        }

        IEnumerable<TypeReference> Attributes(ICustomAttributeProvider provider)
            => provider.HasCustomAttributes ? provider.CustomAttributes.SelectMany(a => Expand(a.AttributeType)) : [];

        var found = new List<TypeReference>();
        found.AddRange(Expand(type.BaseType));
        found.AddRange(type.Interfaces.SelectMany(i => Expand(i.InterfaceType)));
        found.AddRange(Attributes(type));
        found.AddRange(type.Fields.SelectMany(f => Expand(f.FieldType).Concat(Attributes(f))));
        found.AddRange(type.Properties.SelectMany(p => Expand(p.PropertyType).Concat(Attributes(p))));
        found.AddRange(type.Events.SelectMany(e => Expand(e.EventType)));
        foreach (var method in type.Methods)
        {
            found.AddRange(Expand(method.ReturnType));
            found.AddRange(method.Parameters.SelectMany(p => Expand(p.ParameterType)));
            found.AddRange(Attributes(method));
            if (!method.HasBody)
            {
                continue;
            }

            found.AddRange(method.Body.Variables.SelectMany(v => Expand(v.VariableType)));
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference operand:
                        found.AddRange(Expand(operand));
                        break;
                    case MethodReference called:
                        found.AddRange(Expand(called.DeclaringType));
                        found.AddRange(Expand(called.ReturnType));
                        found.AddRange(called.Parameters.SelectMany(p => Expand(p.ParameterType)));
                        if (called is GenericInstanceMethod genericMethod)
                        {
                            found.AddRange(genericMethod.GenericArguments.SelectMany(Expand));
                        }

                        break;
                    case FieldReference field:
                        found.AddRange(Expand(field.DeclaringType));
                        found.AddRange(Expand(field.FieldType));
                        break;
                }
            }
        }

        return found;
    }

    /// <summary>Tarjan's strongly connected components of the namespace graph.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var components = new List<List<string>>();
        var next = 0;

        void Visit(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in edges.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
            {
                if (!index.ContainsKey(target))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target))
                {
                    low[node] = Math.Min(low[node], index[target]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }

        foreach (var node in edges.Keys.Where(n => !index.ContainsKey(n)).ToList())
        {
            Visit(node);
        }

        return components;
    }

    private static string Explain(Dictionary<string, Dictionary<string, string>> edges, string component)
    {
        var members = component.Split(" <-> ").ToHashSet(StringComparer.Ordinal);
        return string.Join("; ", members.SelectMany(from => (edges.GetValueOrDefault(from) ?? []).Where(e => members.Contains(e.Key)).Select(e => e.Value)));
    }
}
