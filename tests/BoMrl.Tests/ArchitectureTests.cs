using System.Text.RegularExpressions;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests;

/// <summary>
/// The dependency graphs of src/ (docs/architecture.md), from what <see cref="ArchitectureScan"/> finds each file naming:
/// the projects (BoMrl, BoMrl.Cli, BoMrl.Cluster, BoMrl.Plots), the library's rooms (a folder of src/BoMrl with its own
/// namespace; BoMrl.Tabular.Adaptation is a room beside BoMrl.Tabular) and its top-level folders (nested rooms folded in).
/// Each graph is acyclic and the layers below never name the ones above.
/// </summary>
public sealed partial class ArchitectureTests
{
    private const string Library = "BoMrl";

    /// <summary>The library room of a namespace (BoMrl.Tabular.Adaptation → Tabular.Adaptation); null outside the library.</summary>
    private static string? RoomOf(string ns) =>
        ns.StartsWith(Library + ".", StringComparison.Ordinal) && ArchitectureScan.ProjectOf(ns) == Library ? ns[(Library.Length + 1)..] : null;

    private static string Top(string room) => room.Split('.')[0];

    private static Dictionary<string, HashSet<string>> FolderGraph() =>
        ArchitectureScan.Graph(f => f.Project == Library ? f.Folder : null, RoomOf);

    private static Dictionary<string, HashSet<string>> TopFolderGraph() =>
        ArchitectureScan.Graph(f => f.Project == Library ? Top(f.Folder) : null, ns => RoomOf(ns) is string r ? Top(r) : null);

    private static Dictionary<string, HashSet<string>> ProjectGraph() =>
        ArchitectureScan.Graph(f => f.Project, ArchitectureScan.ProjectOf);

    private static void AssertAcyclic(string what, Dictionary<string, HashSet<string>> graph)
    {
        (List<string>? cycle, List<string> order) = ArchitectureScan.Sort(graph);
        Assert.True(cycle is null, $"{what}: dependency cycle " + string.Join(" → ", cycle ?? []));
        Console.WriteLine($"{what} order (dependencies first): " + string.Join(" → ", order));
    }

    [Fact]
    public void Every_file_declares_the_namespace_of_its_project_and_folder()
    {
        string[] wrong = [.. ArchitectureScan.Files
            .Where(f => f.Namespace != (f.Folder.Length == 0 ? f.Project : f.Project + "." + f.Folder))
            .Select(f => $"{f.Project}/{f.Folder}: {f.Namespace}")];
        Assert.True(wrong.Length == 0, "namespace differs from folder: " + string.Join(", ", wrong));
        Assert.Contains(ArchitectureScan.Files, f => f.Project == "BoMrl.Cli");
    }

    [Fact]
    public void Library_rooms_form_an_acyclic_dependency_graph() => AssertAcyclic("room", FolderGraph());

    [Fact]
    public void Library_top_level_folders_form_an_acyclic_dependency_graph() => AssertAcyclic("top-level folder", TopFolderGraph());

    [Fact]
    public void Projects_form_an_acyclic_dependency_graph() => AssertAcyclic("project", ProjectGraph());

    [Theory]
    [InlineData("Policies", "Sampling")]
    [InlineData("Policies", "Objectives")]
    [InlineData("Objectives", "Distances")]
    [InlineData("Distances", "Adaptation")]
    [InlineData("Adaptation", "Meta")]
    [InlineData("Meta", "Configuration")]
    [InlineData("Meta", "Runs")]
    [InlineData("Configuration", "Runs")]
    [InlineData("Configuration", "Studies")]
    [InlineData("Runs", "Studies")]
    [InlineData("Tabular", "Meta")]
    [InlineData("Tabular", "Environments")]
    [InlineData("Environments", "Configuration")]
    [InlineData("Tabular.Adaptation", "Distances")]
    [InlineData("Tabular.Meta", "Distances")]
    [InlineData("Tabular.Theory", "Distances")]
    public void A_lower_folder_never_names_a_higher_one(string lower, string higher) =>
        Assert.DoesNotContain(higher, FolderGraph()[lower]);

    [Theory]
    [InlineData("Tabular", "Distances")]
    [InlineData("Tabular", "Sampling")]
    [InlineData("Environments", "Sampling")]
    [InlineData("Numerics", "Policies")]
    public void A_lower_top_level_folder_never_names_a_higher_one(string lower, string higher) =>
        Assert.DoesNotContain(higher, TopFolderGraph()[lower]);

    [Fact]
    public void The_distance_kinds_are_a_leaf_room_both_wings_name()
    {
        Dictionary<string, HashSet<string>> graph = FolderGraph();
        Assert.Empty(graph["DistanceKinds"]);
        Assert.Contains("DistanceKinds", graph["Distances"]);
        Assert.Contains("DistanceKinds", graph["Tabular.Adaptation"]);
    }

    [Fact]
    public void Neither_wing_names_the_other()
    {
        Dictionary<string, HashSet<string>> graph = FolderGraph();
        string[] sampled = ["Sampling", "Objectives", "Distances", "Adaptation", "Meta"];
        string[] tabular = [.. graph.Keys.Where(r => Top(r) == "Tabular")];
        Assert.Contains("Tabular.Meta", tabular);
        foreach ((string[] from, string[] to) in new[] { (sampled, tabular), (tabular, sampled) })
        {
            foreach (string room in from)
            {
                Assert.True(!graph[room].Overlaps(to), $"{room} names {string.Join(", ", graph[room].Intersect(to))}");
            }
        }
    }

    [Theory]
    [InlineData("BoMrl", "BoMrl.Cli")]
    [InlineData("BoMrl", "BoMrl.Cluster")]
    [InlineData("BoMrl", "BoMrl.Plots")]
    [InlineData("BoMrl.Cluster", "BoMrl.Cli")]
    [InlineData("BoMrl.Cluster", "BoMrl.Plots")]
    [InlineData("BoMrl.Plots", "BoMrl.Cli")]
    [InlineData("BoMrl.Plots", "BoMrl.Cluster")]
    public void A_lower_project_never_names_nor_references_a_higher_one(string lower, string higher)
    {
        Assert.DoesNotContain(higher, ProjectGraph()[lower]);
        Assert.DoesNotContain(higher, ProjectReferences(lower));
    }

    [Fact]
    public void The_command_line_names_every_other_project()
    {
        HashSet<string> cli = ProjectGraph()["BoMrl.Cli"];
        Assert.Equal(["BoMrl", "BoMrl.Cluster", "BoMrl.Plots"], cli.Order(StringComparer.Ordinal));
        Assert.Equal(["BoMrl", "BoMrl.Cluster", "BoMrl.Plots"], ProjectReferences("BoMrl.Cli").Order(StringComparer.Ordinal));
    }

    /// <summary>The projects that src/<paramref name="project"/>'s csproj references.</summary>
    private static HashSet<string> ProjectReferences(string project)
    {
        string csproj = File.ReadAllText(Path.Combine(TrainConfigTests.RepoRoot(), "src", project, project + ".csproj"));
        return [.. ProjectReference().Matches(csproj).Select(m => m.Groups[1].Value)];
    }

    [GeneratedRegex(@"<ProjectReference\s+Include=""[^""]*?([\w.]+)\.csproj""")]
    private static partial Regex ProjectReference();

    [Theory]
    [InlineData("BoMrl.Experiments", "using BoMrl.Distances;", "BoMrl.Distances")]
    [InlineData("BoMrl.Experiments", "using static BoMrl.Distances.DistanceImplementations;", "BoMrl.Distances")]
    [InlineData("BoMrl.Experiments", "using K = BoMrl.Distances.KlDistance;", "BoMrl.Distances")]
    [InlineData("BoMrl.Experiments", "var k = BoMrl.Distances.KlDistance.Forward;", "BoMrl.Distances")]
    [InlineData("BoMrl.Experiments", "var k = global::BoMrl.Distances.KlDistance.Forward;", "BoMrl.Distances")]
    [InlineData("BoMrl.Experiments", "var k = Distances.KlDistance.Forward;", "BoMrl.Distances")]
    [InlineData("BoMrl.Experiments", "var d = Tabular.Adaptation.TabularAdaptation.PolicyGradientCorrespondence(1, 0.9);", "BoMrl.Tabular.Adaptation")]
    [InlineData("BoMrl.Tabular.Meta", "var m = TabularMdp.Create();", "BoMrl.Tabular")]
    [InlineData("BoMrl.Tabular.Meta", "var a = Adaptation.TabularAdaptation.Solve();", "BoMrl.Tabular.Adaptation")]
    [InlineData("BoMrl.Experiments", "/// <see cref=\"Distances.KlDistance\"/>\nint x;", "BoMrl.Distances")]
    [InlineData("BoMrl.Cluster", "var c = Cli.Program.Main();", "BoMrl.Cli")]
    [InlineData("BoMrl.Experiments", "// BoMrl.Meta.PerTaskMetaLearner in prose\nint x;", null)]
    [InlineData("BoMrl.Experiments", "/* BoMrl.Meta.TrpoStep */ int x;", null)]
    [InlineData("BoMrl.Experiments", "var s = \"BoMrl.Meta.TrpoStep\"; var t = @\"Meta.TrpoStep \"\" \";", null)]
    [InlineData("BoMrl.Experiments", "var s = $\"{n} Meta.TrpoStep {{x}}\";", null)]
    [InlineData("BoMrl.Experiments", "var s = $\"{Meta.TrpoStep.Name} x\";", "BoMrl.Meta")]
    [InlineData("BoMrl.Experiments", "var s = \"\"\"\n BoMrl.Meta.TrpoStep \"\"\"; char c = '\"';", null)]
    [InlineData("BoMrl.Experiments", "var s = Sampling.BatchSize + config.Meta.TrpoStep;", null)]
    public void The_scan_sees_every_way_code_names_a_namespace_and_nothing_else(string ns, string text, string? expected)
    {
        HashSet<string> found = ArchitectureScan.ReferencedNamespaces(new SourceFile("", "", ns, CSharpCode.Strip(text)));
        Assert.Equal(expected is null ? [] : [expected], found.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_cycle_is_reported_room_by_room()
    {
        var graph = new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = [] };
        Assert.Equal(["A", "B", "C", "A"], ArchitectureScan.Sort(graph).Cycle);
        graph["C"] = ["D"];
        Assert.Equal((List<string>?)null, ArchitectureScan.Sort(graph).Cycle);
        Assert.Equal(["D", "C", "B", "A"], ArchitectureScan.Sort(graph).Order);
    }

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
