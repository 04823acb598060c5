using BoMrl.Runs;
using BoMrl.Studies;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// The tuned locomotion study's tables (results/locomotion-tuned) on a made-up direction family with two seeds whose
/// numbers are known: "meta-learns" and "adapts" are paired over seeds and need 2 standard errors, and the claims
/// table compares the best BO-MRL row with the best baseline.
/// </summary>
public sealed class TunedLocomotionTablesTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("bomrl-tuned-").FullName;

    public void Dispose() => Directory.Delete(_results, recursive: true);

    /// <summary>
    /// A copy of the repository's results/ (every other table reads it) whose tuned study is only a made-up halfcheetah-dir.
    /// </summary>
    private void Build(Dictionary<string, double[][]> trained)
    {
        string repo = TrainConfigTests.RepoRoot();
        string committedTuned = Path.Combine(repo, "results", "locomotion-tuned") + Path.DirectorySeparatorChar;
        foreach (string file in Directory.EnumerateFiles(Path.Combine(repo, "results"), "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(committedTuned, StringComparison.Ordinal)))
        {
            string target = Path.Combine(_results, Path.GetRelativePath(Path.Combine(repo, "results"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string metrics = File.ReadAllText(Path.Combine(repo, "results", "locomotion-quick", "halfcheetah-dir", "promp", "seed-1", "metrics.csv"));
        foreach ((string method, double[][] seeds) in trained)
        {
            string dir = Path.Combine(_results, "locomotion-tuned", "halfcheetah-dir", method);
            for (int s = 0; s < seeds.Length; s++)
            {
                string run = Path.Combine(dir, $"seed-{s + 1}");
                Directory.CreateDirectory(run);
                File.Copy(Path.Combine(repo, "configs", $"halfcheetah-dir-{method}.json"), Path.Combine(run, "config.json"));
                File.WriteAllText(Path.Combine(run, "metrics.csv"), metrics);
                new MetaTestReport(method, seeds[s], [1, 1, 1, 1], 30, 40, 1000).Write(Path.Combine(run, "test.json"));
                new MetaTestReport(method, [0, 1, 2, 3], [1, 1, 1, 1], 0, 40, 1000).Write(Path.Combine(dir, $"untrained-seed-{s + 1}.json"));
            }
        }
    }

    private static string Row(string table, string start) => Assert.Single(table.Split('\n'), l => l.StartsWith(start, StringComparison.Ordinal));

    [Fact]
    public void Meta_learning_adaptation_and_the_claims_are_read_paired_over_seeds()
    {
        Build(new()
        {
            ["bomrl-kl1"] = [[0, 10, 15, 20], [0.5, 12, 16, 21]], // step 1 − untrained step 1: 9, 11; step 1 − step 0: 10, 11.5
            ["bomrl-kl2"] = [[0, 0.5, 1, 1], [0, -0.5, 1, 1]],   // does not adapt: step 1 − step 0 is 0.5, −0.5
            ["bomrl-l2"] = [[0, 5, 6, 7], [0, 7, 8, 9]],
            ["maml-trpo"] = [[0, 8, 8, 8], [0, 8, 8, 8]],
            ["promp"] = [[0, 4, 4, 4], [0, 4, 4, 4]],
            ["emaml"] = [[0, 2, 2, 2], [0, 2, 2, 2]],
        });
        IReadOnlyDictionary<string, string> tables = ResultsTables.Render(_results);

        // Direction tasks: meta-learned is step 1 against the untrained φ₀'s step 1 (step 0 differences 0, 0.5 are not).
        string criteria = tables["locomotion-criteria"];
        Assert.Equal("| halfcheetah-dir | BO-MRL D1 | 1,2 | 0.2 ± 0.2 | **10.0 ± 1.0** | **10.8 ± 0.8** | yes | yes |",
            Row(criteria, "| halfcheetah-dir | BO-MRL D1 |"));
        Assert.Equal("| halfcheetah-dir | BO-MRL D2 | 1,2 | 0.0 ± 0.0 | -1.0 ± 0.5 | 0.0 ± 0.5 | no | no |",
            Row(criteria, "| halfcheetah-dir | BO-MRL D2 |"));

        // Best BO-MRL (D1, step 1: 11 ± 1) against the best baseline (MAML-TRPO, 8 ± 0): 3 ± 1, +37.5 %; step 2 over
        // step 1: (15.5 − 11)/11 = 40.9 % against 0 %.
        Assert.Equal("| halfcheetah-dir | BO-MRL D1: 11.0 ± 1.0 | MAML-TRPO: 8.0 ± 0.0 | 3.0 ± 1.0 | 37.5 % | 40.9 % | 0.0 % |",
            Row(tables["locomotion-claims"], "| halfcheetah-dir |"));
        Assert.StartsWith("| BO-MRL D1 | δ 0.03; λ 0.1; MC-Q − baseline | 1,2 | 0.0 ± 0.0 | 1.0 ± 0.0 | 0.2 ± 0.2 | 11.0 ± 1.0 |",
            Row(tables["tuned-halfcheetah-dir"], "| BO-MRL D1 |"), StringComparison.Ordinal);
        Assert.Contains("| Half-Cheetah direction, quick scale, tuned | MAML-TRPO (δ 0.03; α 0.1) | 1,2 | 0.0 ± 0.0 | 8.0 ± 0.0 | 8.0 ± 0.0 |",
            tables["headline"], StringComparison.Ordinal);
        Assert.DoesNotContain("tuned-halfcheetah-vel", tables.Keys); // only families with files get a table
    }

    [Fact]
    public void An_untrained_report_with_step_0_only_is_named_rather_than_read_as_zero()
    {
        Build(new() { ["bomrl-kl1"] = [[0, 1, 2, 3]], ["bomrl-kl2"] = [[0, 1, 2, 3]], ["bomrl-l2"] = [[0, 1, 2, 3]] });
        string path = Path.Combine(_results, "locomotion-tuned", "halfcheetah-dir", "bomrl-kl2", "untrained-seed-1.json");
        new MetaTestReport("bomrl-kl2", [0], [1], 0, 40, 1000).Write(path);
        var e = Assert.Throws<InvalidDataException>(() => ResultsTables.Render(_results));
        Assert.Contains("bomrl-kl2/untrained-seed-1.json has step 0 only", e.Message, StringComparison.Ordinal);
    }
}
