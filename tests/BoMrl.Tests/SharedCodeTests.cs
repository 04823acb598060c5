using System.Text.RegularExpressions;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests;

/// <summary>
/// The machinery every learner shares (the meta-iteration, the per-task loop and executors in Meta/, run folders and
/// the trainer in Runs/, the cluster) names no learner: a learner's knowledge stays in its own files and its config
/// section (Configuration/LearnerSections.cs, the registry).
/// </summary>
public sealed partial class SharedCodeTests
{
    private static readonly string[] LearnerPrefixes = ["BoMrl", "MamlTrpo", "EMaml", "ProMp"];

    [GeneratedRegex(@"\b(BoMrl|MamlTrpo|EMaml|ProMp)(Learner|Task|Options|Trial|Statistics|Extras|Objective|OuterGradient|Hypergradient)\b")]
    private static partial Regex LearnerType();

    [GeneratedRegex(@"""(maml-trpo|emaml|promp|bomrl-(kl1|kl2|l2))""")]
    private static partial Regex LearnerName();

    /// <summary>Every shared source file: Meta/ but the learners' own files, Runs/, and the cluster project.</summary>
    public static TheoryData<string> SharedFiles()
    {
        string src = Path.Combine(TrainConfigTests.RepoRoot(), "src");
        var data = new TheoryData<string>();
        IEnumerable<string> meta = Directory.EnumerateFiles(Path.Combine(src, "BoMrl", "Meta"), "*.cs")
            .Where(f => !LearnerPrefixes.Any(p => Path.GetFileName(f).StartsWith(p, StringComparison.Ordinal)));
        foreach (string f in meta.Concat(Directory.EnumerateFiles(Path.Combine(src, "BoMrl", "Runs"), "*.cs"))
                     .Concat(Directory.EnumerateFiles(Path.Combine(src, "BoMrl.Cluster"), "*.cs", SearchOption.AllDirectories))
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(src, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SharedFiles))]
    public void Shared_code_names_no_learner(string file)
    {
        string text = File.ReadAllText(Path.Combine(TrainConfigTests.RepoRoot(), "src", file));
        Match type = LearnerType().Match(CSharpCode.Strip(text));
        Assert.False(type.Success, $"{file} names the learner type {type.Value}");
        string withoutComments = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
        Match name = LearnerName().Match(withoutComments);
        Assert.False(name.Success, $"{file} names the learner {name.Value}");
    }

    [Fact]
    public void The_scan_finds_a_learner_named_in_code() // the test above can fail
    {
        Assert.Matches(LearnerType(), CSharpCode.Strip("var l = (ProMpLearner)x;"));
        Assert.DoesNotMatch(LearnerType(), CSharpCode.Strip("// ProMpLearner in prose\nint x;"));
        Assert.Matches(LearnerName(), "if (name == \"promp\") { }");
    }
}
