using BoMrl.Cli;
using BoMrl.Studies;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// One source of truth for the result tables: every table between <c>&lt;!-- results:NAME --&gt;</c> markers in
/// README.md and docs/results.md is what <see cref="ResultsTables"/> renders from the files under results/, and a
/// table that disagrees with its files is reported.
/// </summary>
public sealed class ResultsTablesTests : IDisposable
{
    private static readonly string Root = TrainConfigTests.RepoRoot();
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Tables =
        new(() => ResultsTables.Render(Path.Combine(Root, "results")));

    private readonly string _tmp = Directory.CreateTempSubdirectory("bomrl-results-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void Committed_tables_agree_with_their_results_files()
    {
        foreach (string doc in ResultsTables.Documents)
        {
            string text = File.ReadAllText(Path.Combine(Root, doc));
            Assert.NotEmpty(ResultsTables.Marked(text));
            IReadOnlyList<string> problems = ResultsTables.Check(doc, text, Tables.Value);
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
    }

    [Fact]
    public void Every_table_is_shown_somewhere_and_the_readme_leads_with_the_headline()
    {
        var marked = ResultsTables.Documents.SelectMany(d => ResultsTables.Marked(File.ReadAllText(Path.Combine(Root, d)))).ToHashSet();
        string[] unshown = Tables.Value.Keys.Where(k => !marked.Contains(k)).ToArray();
        Assert.True(unshown.Length == 0, "tables in no document: " + string.Join(", ", unshown));
        Assert.Equal(["headline"], ResultsTables.Marked(File.ReadAllText(Path.Combine(Root, "README.md"))));
    }

    [Fact]
    public void A_changed_number_in_a_committed_table_is_reported_by_name_and_line()
    {
        string text = File.ReadAllText(Path.Combine(Root, "docs/results.md")).ReplaceLineEndings("\n");
        // -42.3 ± 2.1 is MAML-TRPO's navigation return before adaptation; the same run once appeared as -41.9.
        string table = Tables.Value["navigation-100"];
        Assert.Contains("-42.3 ± 2.1", table);
        string edited = text.Replace(table, table.Replace("-42.3 ± 2.1", "-41.9 ± 2.1", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.NotEqual(text, edited);

        string problem = Assert.Single(ResultsTables.Check("docs/results.md", edited, Tables.Value));
        Assert.Contains("'navigation-100'", problem);
        Assert.Contains("-41.9 ± 2.1", problem);
        Assert.Contains("-42.3 ± 2.1", problem);
        // Regenerating restores the committed text.
        Assert.Equal(text, ResultsTables.Apply(edited, Tables.Value));
    }

    [Fact]
    public void Unknown_or_unclosed_markers_are_reported()
    {
        Assert.Contains("no table is named 'nope'",
            Assert.Single(ResultsTables.Check("X.md", "<!-- results:nope -->\n<!-- /results:nope -->\n", Tables.Value)));
        Assert.Contains("no partner", Assert.Single(ResultsTables.Check("X.md", "a\n<!-- results:headline -->\n| x |\n", Tables.Value)));
        Assert.Throws<InvalidDataException>(() => ResultsTables.Apply("<!-- /results:headline -->\n", Tables.Value));
    }

    [Fact]
    public void Rendering_is_deterministic()
    {
        IReadOnlyDictionary<string, string> again = ResultsTables.Render(Path.Combine(Root, "results"));
        Assert.Equal(Tables.Value, again);
        // Invariant formatting: a point for decimals, no digit grouping.
        Assert.Contains("| -0.65 ± 0.09 |", Tables.Value["halfcheetah-dir"]);
    }

    [Fact]
    public void The_results_verb_writes_the_tables_and_its_check_exits_1_on_drift()
    {
        // A copy of the repository's documents beside a link to its results/.
        Directory.CreateSymbolicLink(Path.Combine(_tmp, "results"), Path.Combine(Root, "results"));
        Directory.CreateDirectory(Path.Combine(_tmp, "docs"));
        File.WriteAllText(Path.Combine(_tmp, "README.md"), "# R\n\n<!-- results:headline -->\nstale\n<!-- /results:headline -->\n");
        File.WriteAllText(Path.Combine(_tmp, "docs", "results.md"), "<!-- results:halfcheetah-dir -->\n<!-- /results:halfcheetah-dir -->\n");

        var err = new StringWriter();
        Assert.Equal(1, Program.Run(["results", "--check", "--root", _tmp], new StringWriter(), err));
        Assert.Contains("README.md: table 'headline' disagrees", err.ToString());
        Assert.Contains("docs/results.md: table 'halfcheetah-dir' disagrees", err.ToString());

        Assert.Equal(0, Program.Run(["results", "--root", _tmp], new StringWriter(), new StringWriter()));
        Assert.Contains(Tables.Value["headline"], File.ReadAllText(Path.Combine(_tmp, "README.md")));
        var out2 = new StringWriter();
        Assert.Equal(0, Program.Run(["results", "--check", "--root", _tmp], out2, new StringWriter()));
        Assert.Contains("README.md: 1 tables agree with results/", out2.ToString());

        Assert.Equal(2, Program.Run(["results", "--root", Path.Combine(_tmp, "docs")], new StringWriter(), new StringWriter()));
    }
}
