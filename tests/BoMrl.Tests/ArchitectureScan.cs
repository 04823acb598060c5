using System.Text.RegularExpressions;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests;

/// <summary>
/// One source file of a project under src/: its project, folder (dotted, relative to the project), namespace and code (the
/// text with comments and string/char literals removed, the crefs of doc comments kept: <see cref="CSharpCode.Strip"/>).
/// </summary>
internal sealed record SourceFile(string Project, string Folder, string Namespace, string Code);

/// <summary>
/// Which namespaces each file of src/ names. A file names namespace M when its code (comments and literals removed, crefs
/// kept) writes M fully qualified (using, using static, alias, global::, inline BoMrl.M.T), partially qualified from an
/// enclosing namespace (Distances.Distance inside BoMrl.Experiments), or a type of an enclosing namespace by its simple
/// name (TabularMdp inside BoMrl.Tabular.Meta), the three ways C# resolves a name to one of the library's types.
/// </summary>
internal static partial class ArchitectureScan
{
    private static readonly Lazy<SourceFile[]> AllFiles = new(Load);
    private static readonly Lazy<Dictionary<string, HashSet<string>>> Types = new(() => AllFiles.Value
        .GroupBy(f => f.Namespace)
        .ToDictionary(g => g.Key, g => g.SelectMany(f => DeclaredType().Matches(f.Code).Select(m => m.Groups[1].Value + m.Groups[2].Value)).ToHashSet()));

    /// <summary>Every .cs file of every project under src/ (bin and obj excluded).</summary>
    public static IReadOnlyList<SourceFile> Files => AllFiles.Value;

    /// <summary>The top-level types declared in each namespace (nested types too: they only add names).</summary>
    public static IReadOnlyDictionary<string, HashSet<string>> TypesByNamespace => Types.Value;

    [GeneratedRegex(@"^\s*namespace\s+([\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record)\s+([A-Z]\w*)|\bdelegate\s+[\w<>\[\],.?]+\s+([A-Z]\w*)\s*[<(]")]
    private static partial Regex DeclaredType();

    [GeneratedRegex(@"(?<![\w.])(?:global::)?BoMrl((?:\.[A-Za-z_]\w*)+)")]
    private static partial Regex FullyQualified();

    [GeneratedRegex(@"(?<![\w.:])[A-Z]\w*(?:\.[A-Z]\w*)*")]
    private static partial Regex DottedName();

    private static SourceFile[] Load()
    {
        string src = Path.Combine(TrainConfigTests.RepoRoot(), "src");
        var files = new List<SourceFile>();
        foreach (string projectDir in Directory.GetDirectories(src).Where(d => Directory.EnumerateFiles(d, "*.csproj").Any()).Order(StringComparer.Ordinal))
        {
            string project = Path.GetFileName(projectDir);
            foreach (string file in Directory.EnumerateFiles(projectDir, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string folder = Path.GetRelativePath(projectDir, Path.GetDirectoryName(file)!).Replace(Path.DirectorySeparatorChar, '.');
                folder = folder == "." ? "" : folder;
                if (folder.Split('.')[0] is "bin" or "obj")
                {
                    continue;
                }

                string code = CSharpCode.Strip(File.ReadAllText(file));
                Match ns = NamespaceDeclaration().Match(code);
                files.Add(new SourceFile(project, folder, ns.Success ? ns.Groups[1].Value : "", code));
            }
        }

        return [.. files];
    }

    /// <summary>The namespaces of src/ that <paramref name="file"/> names, other than its own.</summary>
    public static HashSet<string> ReferencedNamespaces(SourceFile file)
    {
        IReadOnlyDictionary<string, HashSet<string>> types = TypesByNamespace;
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in FullyQualified().Matches(file.Code))
        {
            string[] segments = ("BoMrl" + m.Groups[1].Value).Split('.');
            string? longest = null;
            for (int k = 1; k <= segments.Length; k++)
            {
                string prefix = string.Join('.', segments[..k]);
                longest = types.ContainsKey(prefix) ? prefix : longest;
            }

            if (longest is not null)
            {
                found.Add(longest);
            }
        }

        string[] enclosing = Enclosing(file.Namespace);
        foreach (Match m in DottedName().Matches(file.Code))
        {
            string[] s = m.Value.Split('.');
            foreach (string scope in enclosing)
            {
                if (types.TryGetValue(scope, out HashSet<string>? here) && here.Contains(s[0]))
                {
                    found.Add(scope); // a type of an enclosing namespace by its simple name
                    break;
                }

                if (s.Length > 1 && types.ContainsKey(scope + "." + s[0]))
                {
                    string ns = scope + "." + s[0];
                    int k = 1;
                    while (k < s.Length - 1 && types.ContainsKey(ns + "." + s[k]))
                    {
                        ns += "." + s[k++];
                    }

                    if (types[ns].Contains(s[k]))
                    {
                        found.Add(ns); // partially qualified: Namespace[.Sub].Type from an enclosing namespace
                    }

                    break;
                }
            }
        }

        found.Remove(file.Namespace);
        return found;
    }

    /// <summary>A.B.C → [A.B.C, A.B, A]: where C# looks a name up from inside namespace A.B.C, innermost first.</summary>
    private static string[] Enclosing(string ns)
    {
        string[] parts = ns.Split('.');
        return [.. Enumerable.Range(1, parts.Length).Reverse().Select(k => string.Join('.', parts[..k]))];
    }

    /// <summary>
    /// The graph of rooms: an edge from the room of each file (<paramref name="roomOfFile"/>, null to skip it) to the room
    /// of each namespace it names (<paramref name="roomOfNamespace"/>, null when that namespace has no room).
    /// </summary>
    public static Dictionary<string, HashSet<string>> Graph(Func<SourceFile, string?> roomOfFile, Func<string, string?> roomOfNamespace)
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (SourceFile file in Files)
        {
            if (roomOfFile(file) is not string room)
            {
                continue;
            }

            HashSet<string> deps = graph.TryGetValue(room, out HashSet<string>? d) ? d : graph[room] = [];
            foreach (string ns in ReferencedNamespaces(file))
            {
                if (roomOfNamespace(ns) is string target && target != room)
                {
                    deps.Add(target);
                }
            }
        }

        return graph;
    }

    /// <summary>The project that declares each namespace of src/.</summary>
    public static string ProjectOf(string ns) => Files.First(f => f.Namespace == ns).Project;

    /// <summary>A cycle of <paramref name="graph"/> as its rooms (first = last), or null with the order, dependencies first.</summary>
    public static (List<string>? Cycle, List<string> Order) Sort(Dictionary<string, HashSet<string>> graph)
    {
        var order = new List<string>();
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = on the current path, 2 = done
        var path = new List<string>();
        List<string>? Visit(string room)
        {
            switch (state.GetValueOrDefault(room))
            {
                case 2: return null;
                case 1: return [.. path.Skip(path.IndexOf(room)), room];
            }

            state[room] = 1;
            path.Add(room);
            foreach (string dep in graph.GetValueOrDefault(room, []).Order(StringComparer.Ordinal))
            {
                if (Visit(dep) is List<string> cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[room] = 2;
            order.Add(room);
            return null;
        }

        foreach (string room in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (Visit(room) is List<string> cycle)
            {
                return (cycle, order);
            }
        }

        return (null, order);
    }
}
