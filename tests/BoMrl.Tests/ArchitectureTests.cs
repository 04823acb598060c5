using System.Text.RegularExpressions;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests;

/// <summary>
/// The library's rooms form a layered, acyclic dependency graph. A room is a folder of src/BoMrl with its own namespace
/// (BoMrl.Tabular.Adaptation is a room of its own beside BoMrl.Tabular); room A depends on room B when a file in A names
/// B's namespace.
/// </summary>
public sealed partial class ArchitectureTests
{
    [GeneratedRegex(@"(?:using\s+(?:static\s+)?BoMrl\.|[^A-Za-z.]BoMrl\.)([A-Za-z]+(?:\.[A-Za-z]+)*)")]
    private static partial Regex NamespaceReference();

    private static Dictionary<string, HashSet<string>> FolderGraph()
    {
        string root = Path.Combine(TrainConfigTests.RepoRoot(), "src", "BoMrl");
        string[] rooms = Directory.GetDirectories(root, "*", SearchOption.AllDirectories)
            .Select(d => Path.GetRelativePath(root, d).Replace(Path.DirectorySeparatorChar, '.'))
            .Where(r => !r.StartsWith("bin", StringComparison.Ordinal) && !r.StartsWith("obj", StringComparison.Ordinal)
                && Directory.EnumerateFiles(Path.Combine(root, r.Replace('.', Path.DirectorySeparatorChar)), "*.cs").Any())
            .ToArray();
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (string room in rooms)
        {
            var deps = new HashSet<string>();
            foreach (string file in Directory.EnumerateFiles(Path.Combine(root, room.Replace('.', Path.DirectorySeparatorChar)), "*.cs"))
            {
                foreach (Match m in NamespaceReference().Matches(File.ReadAllText(file)))
                {
                    // The longest room that the referenced name starts with (BoMrl.Tabular.Adaptation.X → Tabular.Adaptation).
                    string name = m.Groups[1].Value;
                    string? target = rooms.Where(r => name == r || name.StartsWith(r + ".", StringComparison.Ordinal))
                        .OrderByDescending(r => r.Length).FirstOrDefault();
                    if (target is not null && target != room)
                    {
                        deps.Add(target);
                    }
                }
            }

            graph[room] = deps;
        }

        return graph;
    }

    [Fact]
    public void Library_rooms_form_an_acyclic_dependency_graph()
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

        Console.WriteLine("room order (dependencies first): " + string.Join(" → ", order));
    }

    [Theory]
    [InlineData("Policies", "Sampling")]
    [InlineData("Policies", "Objectives")]
    [InlineData("Objectives", "Distances")]
    [InlineData("Distances", "Adaptation")]
    [InlineData("Adaptation", "Meta")]
    [InlineData("Meta", "Experiments")]
    [InlineData("Tabular", "Meta")]
    [InlineData("Tabular", "Environments")]
    [InlineData("Environments", "Experiments")]
    public void A_lower_folder_never_names_a_higher_one(string lower, string higher) =>
        Assert.DoesNotContain(higher, FolderGraph()[lower]);

    [Fact]
    public void Every_citation_in_code_points_inside_the_repository()
    {
        string root = TrainConfigTests.RepoRoot();
        var offenders = new List<string>();
        foreach (string dir in new[] { "src", "tests", "bench", "assets" })
        {
            foreach (string file in Directory.EnumerateFiles(Path.Combine(root, dir), "*", SearchOption.AllDirectories)
                .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".xml", StringComparison.Ordinal))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                    && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                string text = File.ReadAllText(file);
                if (file.EndsWith("ArchitectureTests.cs", StringComparison.Ordinal))
                {
                    continue;
                }

                if (OutsideCitation().IsMatch(text))
                {
                    offenders.Add(Path.GetRelativePath(root, file));
                }
            }
        }

        Assert.True(offenders.Count == 0, "cites files outside the repository: " + string.Join(", ", offenders));
    }

    /// <summary>The restatement and specs kept beside the repository, which a reader of the repository alone cannot open.</summary>
    [GeneratedRegex(@"DESIGN(\.md| §)|specs/|\bspec §|shared/")]
    private static partial Regex OutsideCitation();
}
