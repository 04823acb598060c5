using System.Text.Json;
using BoMrl.Cli;
using BoMrl.Configuration;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

public sealed class TrainCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-cli-").FullName;
    private readonly string _config;

    public TrainCliTests()
    {
        _config = Path.Combine(_root, "nav.json");
        File.WriteAllText(_config, """
            { "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "kl2" },
              "iterations": 4, "seed": 5, "test": { "steps": 2, "tasks": 7 } }
            """);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var ctx = new CliContext(stdout, stderr, c => new FakeMetaLearner(c.Seed));
        int code = Program.Run(args, ctx);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Dir(string name) => Path.Combine(_root, name);

    private static void AssertUsageError((int Code, string Out, string Err) r, string fragment)
    {
        Assert.Equal(2, r.Code);
        string err = r.Err.TrimEnd();
        Assert.Single(err.Split('\n'));
        Assert.StartsWith("bomrl: ", err);
        Assert.Contains(fragment, err);
    }

    [Fact]
    public void Train_writes_the_resolved_config_metrics_and_a_checkpoint()
    {
        var r = Cli("train", "--config", _config, "--out", Dir("a"), "--threads", "2");
        Assert.Equal(0, r.Code);
        Assert.Contains("iteration 4/4", r.Out);
        var folder = new RunFolder(Dir("a"));
        TrainConfig resolved = folder.ReadConfig();
        Assert.Equal(100, resolved.Sampler.Horizon);
        Assert.Equal(2, resolved.Sampler.Threads);
        Assert.Equal("kl2", resolved.Algorithm.Distance);
        Assert.Contains("\"episodes_per_task\": 20", File.ReadAllText(folder.ConfigPath));
        Assert.Equal(5, File.ReadAllLines(folder.MetricsPath).Length);
        Assert.Equal(4, folder.ReadCheckpoint()!.CompletedIterations);
    }

    [Fact]
    public void Train_then_resume_equals_an_uninterrupted_run()
    {
        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("whole"), "--iterations", "6").Code);
        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("parts"), "--iterations", "2").Code);
        var resumed = Cli("train", "--out", Dir("parts"), "--resume", "--iterations", "6");
        Assert.Equal(0, resumed.Code);
        Assert.Contains("resuming fake at iteration 2 of 6", resumed.Out);
        Assert.Equal(TrainerTests.DeterministicColumns(Path.Combine(Dir("whole"), "metrics.csv")),
            TrainerTests.DeterministicColumns(Path.Combine(Dir("parts"), "metrics.csv")));
        Assert.Equal(new RunFolder(Dir("whole")).ReadCheckpoint()!.Phi, new RunFolder(Dir("parts")).ReadCheckpoint()!.Phi);
        // The resumed config.json records the new iteration count.
        Assert.Equal(6, new RunFolder(Dir("parts")).ReadConfig().Iterations);
    }

    [Fact]
    public void Zero_iterations_initialise_a_run_whose_untrained_meta_policy_test_evaluates()
    {
        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("z"), "--iterations", "0").Code);
        var folder = new RunFolder(Dir("z"));
        Assert.True(folder.HasCheckpoint);
        Assert.Single(File.ReadAllLines(folder.MetricsPath)); // the header only
        Assert.Equal(0, Cli("test", "--run", Dir("z")).Code);
        Assert.True(File.Exists(Path.Combine(Dir("z"), "test.json")));

        // Training on from the initial checkpoint equals training from scratch.
        Assert.Equal(0, Cli("train", "--out", Dir("z"), "--resume", "--iterations", "3").Code);
        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("z3"), "--iterations", "3").Code);
        Assert.Equal(TrainerTests.DeterministicColumns(folder.MetricsPath),
            TrainerTests.DeterministicColumns(new RunFolder(Dir("z3")).MetricsPath));
    }

    [Fact]
    public void Test_and_compare_write_json_and_png()
    {
        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("t1")).Code);
        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("t2"), "--seed", "9").Code);
        var t = Cli("test", "--run", Dir("t1"));
        Assert.Equal(0, t.Code);
        Assert.Contains("step 2/2 done", t.Out, StringComparison.Ordinal); // progress after each adaptation step
        Assert.Equal("", t.Err);
        using (JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("t1"), "test.json"))))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal("fake", root.GetProperty("algorithm").GetString());
            Assert.Equal(3, root.GetProperty("returns_by_step").GetArrayLength()); // test.steps = 2 → steps 0, 1, 2
            Assert.Equal(3, root.GetProperty("stderr_by_step").GetArrayLength());
            Assert.Equal(7, root.GetProperty("tasks").GetInt32());
        }

        Assert.True(new FileInfo(Path.Combine(Dir("t1"), "test.png")).Length > 1000);
        Assert.Equal(0, Cli("test", "--run", Dir("t2"), "--steps", "4", "--tasks", "3", "--seed", "11").Code);
        string png = Path.Combine(_root, "plots", "cmp.png");
        var c = Cli("compare", "--runs", Dir("t1"), Dir("t2"), "--out", png);
        Assert.Equal(0, c.Code);
        Assert.True(new FileInfo(png).Length > 1000);
        Assert.Contains("fake", c.Out);
    }

    [Fact]
    public void Train_and_test_build_the_configured_learner_by_default()
    {
        string tiny = Path.Combine(_root, "tiny.json");
        File.WriteAllText(tiny, """
            { "env": { "name": "navigation2d" }, "policy": { "hidden_sizes": [8] },
              "algorithm": { "name": "maml-trpo" }, "sampler": { "meta_batch_size": 2, "episodes_per_task": 3, "horizon": 10 },
              "test": { "steps": 1, "tasks": 2 }, "iterations": 2 }
            """);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var ctx = new CliContext(stdout, stderr); // no stand-in: MetaLearners.Create
        Assert.Equal(0, Program.Run(["train", "--config", tiny, "--out", Dir("real"), "--threads", "1"], ctx));
        Assert.Equal(0, Program.Run(["test", "--run", Dir("real")], ctx));
        Assert.Equal("maml-trpo", new RunFolder(Dir("real")).ReadTestReport().Algorithm);
        Assert.Equal(2, new RunFolder(Dir("real")).ReadCheckpoint()!.CompletedIterations);
    }

    [Fact]
    public void Bad_input_gives_one_line_and_exit_code_2()
    {
        File.WriteAllText(Path.Combine(_root, "typo.json"),
            """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "horizn": 5 } }""");
        File.WriteAllText(Path.Combine(_root, "plain-file"), "x");

        AssertUsageError(Cli("train", "--config", Path.Combine(_root, "missing.json"), "--out", Dir("m")), "cannot read config");
        AssertUsageError(Cli("train", "--config", Path.Combine(_root, "typo.json"), "--out", Dir("m")), "unknown config key 'sampler.horizn'");
        AssertUsageError(Cli("train", "--config", _config, "--out", Path.Combine(_root, "plain-file", "run")), "cannot write");
        AssertUsageError(Cli("train", "--out", Dir("nothing"), "--resume"), "no checkpoint");
        AssertUsageError(Cli("train", "--config", _config, "--out", Dir("m"), "--iterations", "-1"), "--iterations must be 0");
        AssertUsageError(Cli("train", "--out", Dir("m")), "--config is required");
        AssertUsageError(Cli("train", "--config", _config), "--out");
        AssertUsageError(Cli("train", "--config", _config, "--out", Dir("m"), "--iterations", "many"), "many");

        Assert.Equal(0, Cli("train", "--config", _config, "--out", Dir("done"), "--iterations", "1").Code);
        AssertUsageError(Cli("train", "--config", _config, "--out", Dir("done")), "already holds a run");
        AssertUsageError(Cli("train", "--config", _config, "--out", Dir("done"), "--resume", "--seed", "77"), "--seed 77 differs");
        AssertUsageError(Cli("test", "--run", Dir("nowhere")), "no such folder");
        AssertUsageError(Cli("test", "--run", Dir("done"), "--steps", "0"), "--steps must be positive");
        AssertUsageError(Cli("compare", "--runs", Dir("done"), "--out", Path.Combine(_root, "c.png")), "has no test.json");
        AssertUsageError(Cli("compare", "--runs", Dir("done"), "--out", Path.Combine(_root, "c.svg")), ".png");
    }
}
