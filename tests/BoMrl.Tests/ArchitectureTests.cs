using System.Text.RegularExpressions;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests;

/// <summary>The library's folders form a layered, acyclic dependency graph (folder A depends on B when a file in A names B's namespace).</summary>
public sealed partial class ArchitectureTests
{
    [GeneratedRegex(@"(?:using\s+(?:static\s+)?BoMrl\.|[^A-Za-z.]BoMrl\.)([A-Za-z]+)")]
    private static partial Regex NamespaceReference();

    private static Dictionary<string, HashSet<string>> FolderGraph()
    {
        string root = Path.Combine(TrainConfigTests.RepoRoot(), "src", "BoMrl");
        string[] folders = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj")).ToArray();
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (string folder in folders)
        {
            var deps = new HashSet<string>();
            foreach (string file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            {
                foreach (Match m in NamespaceReference().Matches(File.ReadAllText(file)))
                {
                    string target = m.Groups[1].Value;
                    if (target != folder && folders.Contains(target))
                    {
                        deps.Add(target);
                    }
                }
            }

            graph[folder] = deps;
        }

        return graph;
    }

    [Fact]
    public void Library_folders_form_an_acyclic_dependency_graph()
    {
        Dictionary<string, HashSet<string>> graph = FolderGraph();
        var order = new List<string>();
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        void Visit(string f, List<string> path)
        {
            if (state.GetValueOrDefault(f) == 2)
            {
                return;
            }

            Assert.False(state.GetValueOrDefault(f) == 1, "dependency cycle: " + string.Join(" → ", path.Append(f)));
            state[f] = 1;
            foreach (string d in graph[f].Order(StringComparer.Ordinal))
            {
                Visit(d, [.. path, f]);
            }

            state[f] = 2;
            order.Add(f);
        }

        foreach (string f in graph.Keys.Order(StringComparer.Ordinal))
        {
            Visit(f, []);
        }

        Console.WriteLine("folder order (dependencies first): " + string.Join(" → ", order));
    }

    [Theory]
    [InlineData("Policies", "Sampling")]
    [InlineData("Policies", "Objectives")]
    [InlineData("Objectives", "Distances")]
    [InlineData("Distances", "Adaptation")]
    [InlineData("Adaptation", "Meta")]
    [InlineData("Meta", "Experiments")]
    public void A_lower_folder_never_names_a_higher_one(string lower, string higher) =>
        Assert.DoesNotContain(higher, FolderGraph()[lower]);
}
