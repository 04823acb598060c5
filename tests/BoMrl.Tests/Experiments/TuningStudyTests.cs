using System.Text.Json.Nodes;
using BoMrl.Cli;
using BoMrl.Configuration;
using BoMrl.Studies;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// <c>bomrl tune</c>: every method gets the same number of configurations, each is trained and meta-tested on the tuning
/// seeds, and the chosen configuration is the one with the best step-1 test return (tiny scale, real MuJoCo learners).
/// </summary>
public sealed class TuningStudyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-tune-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, new CliContext(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Grid(string name, JsonObject points)
    {
        string path = Path.Combine(_root, name);
        File.WriteAllText(path, new JsonObject { ["protocol"] = "test protocol", ["points"] = points }.ToJsonString());
        return path;
    }

    private static JsonArray Points(string key1, string key2, double a, double b) =>
    [
        new JsonObject { ["name"] = "a", ["set"] = new JsonObject { [key1] = new JsonObject { [key2] = a } } },
        new JsonObject { ["name"] = "b", ["set"] = new JsonObject { [key1] = new JsonObject { [key2] = b } } },
    ];

    [Fact]
    public void Every_configuration_is_run_and_each_method_chooses_its_best_step_one_return()
    {
        string grid = Grid("grid.json", new JsonObject
        {
            ["maml-trpo"] = Points("meta_update", "max_kl", 0.01, 0.03),
            ["bomrl-kl2"] = Points("algorithm", "lambda", 0.5, 0.1),
        });
        string dir = Path.Combine(_root, "t");
        string configs = Path.Combine(TrainConfigTests.RepoRoot(), "configs");
        var r = Cli("tune", "--env", "halfcheetah-vel", "--grid", grid, "--scale", "tiny", "--seeds", "101", "--threads", "1",
            "--configs", configs, "--out", dir);
        Assert.True(r.Code == 0, r.Err);
        var study = new TuningStudy("halfcheetah-vel", LocomotionScale.Named("tiny", "halfcheetah-vel")!, TuningGrid.Load(grid), [101],
            configs, dir);
        IReadOnlyList<TuningRow> rows = study.Rows();
        Assert.Equal(4, rows.Count);
        foreach (string method in new[] { "maml-trpo", "bomrl-kl2" })
        {
            TuningRow[] mine = [.. rows.Where(x => x.Method == method)];
            TuningRow chosen = Assert.Single(mine, x => x.Chosen);
            Assert.Equal(mine.Max(x => x.Returns[1]), chosen.Returns[1]);
            TrainConfig shipped = ConfigLoader.Load(Path.Combine(dir, "chosen", $"halfcheetah-vel-{method}.json"));
            if (method == "maml-trpo")
            {
                Assert.Equal(chosen.Point.Name == "a" ? 0.01 : 0.03, shipped.MetaUpdate.MaxKl);
            }
        }

        string md = File.ReadAllText(Path.Combine(dir, "halfcheetah-vel-tuning.md"));
        Assert.Contains("test protocol", md, StringComparison.Ordinal);
        Assert.Equal(2, md.Split('\n').Count(l => l.Contains("| **", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_grid_that_gives_methods_different_budgets_is_refused_in_one_line()
    {
        var points = new JsonObject
        {
            ["maml-trpo"] = Points("meta_update", "max_kl", 0.01, 0.03),
            ["bomrl-kl2"] = new JsonArray(new JsonObject { ["name"] = "a", ["set"] = new JsonObject() }),
        };
        var r = Cli("tune", "--env", "halfcheetah-vel", "--grid", Grid("unequal.json", points), "--scale", "tiny",
            "--configs", Path.Combine(TrainConfigTests.RepoRoot(), "configs"), "--out", Path.Combine(_root, "u"));
        Assert.Equal(2, r.Code);
        Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Contains("same number of configurations", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "u")));
    }
}
