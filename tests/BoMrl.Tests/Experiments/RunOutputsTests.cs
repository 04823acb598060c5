using System.Text.Json;
using BoMrl.Cli;
using BoMrl.Environments.Mujoco;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

/// <summary>What a train run leaves behind and what test/compare report about it (kept checkpoints, training.png, n/a).</summary>
public sealed class RunOutputsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-outputs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, new CliContext(stdout, stderr, c => new FakeMetaLearner(c.Seed)));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string Config(string name, string env = "navigation2d")
    {
        File.WriteAllText(P(name), $$"""
            { "env": { "name": "{{env}}" }, "algorithm": { "name": "bomrl" }, "iterations": 5, "checkpoint_every": 2 }
            """);
        return P(name);
    }

    [Fact]
    public void Train_keeps_every_checkpoint_every_iterations_writes_training_png_and_test_reads_a_kept_one()
    {
        Assert.Equal(0, Cli("train", "--config", Config("c.json"), "--out", P("run")).Code);
        var folder = new RunFolder(P("run"));
        Assert.Equal([0, 2, 4], folder.KeptIterations());
        Assert.True(new FileInfo(folder.TrainingPlotPath).Length > 1000);
        Assert.Equal(2, folder.ReadCheckpoint(2)!.CompletedIterations);
        Assert.Contains("\"kind\": \"train\"", File.ReadAllText(P("run", "run.json")));

        var t = Cli("test", "--run", P("run"), "--iteration", "2", "--tasks", "1");
        Assert.Equal(0, t.Code);
        Assert.Contains("2 meta-iterations", t.Out);
        Assert.Contains("n/a", t.Out);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(folder.TestReportPath));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("stderr_by_step").ValueKind);
        Assert.Equal(2, doc.RootElement.GetProperty("iterations").GetInt32());
    }

    [Fact]
    public void Compare_warns_in_one_line_when_runs_differ_in_environment_or_task_count_and_still_draws()
    {
        Assert.Equal(0, Cli("train", "--config", Config("a.json"), "--out", P("a")).Code);
        Assert.Equal(0, Cli("train", "--config", Config("b.json", "halfcheetah-vel"), "--out", P("b")).Code);
        Assert.Equal(0, Cli("test", "--run", P("a"), "--tasks", "3").Code);
        Assert.Equal(0, Cli("test", "--run", P("b"), "--tasks", "4").Code);
        var c = Cli("compare", "--runs", P("a"), P("b"), "--out", P("c.png"));
        Assert.Equal(0, c.Code);
        string warning = Assert.Single(c.Err.TrimEnd().Split('\n'));
        Assert.StartsWith("bomrl: warning: the runs differ in environment", warning);
        Assert.Contains("test task count (3, 4)", warning);
        Assert.True(File.Exists(P("c.png")));
    }

    [Fact]
    public void Compare_with_metric_plots_a_metrics_column_per_run_and_names_a_missing_column()
    {
        Assert.Equal(0, Cli("train", "--config", Config("a.json"), "--out", P("a")).Code);
        Assert.Equal(0, Cli("train", "--config", Config("b.json"), "--out", P("b")).Code);
        var c = Cli("compare", "--runs", P("a"), P("b"), "--metric", "post_return", "--out", P("m.png"));
        Assert.Equal(0, c.Code);
        Assert.Contains("a  5 iterations  post_return last", c.Out);
        Assert.True(new FileInfo(P("m.png")).Length > 1000);
        var bad = Cli("compare", "--runs", P("a"), "--metric", "no_such_column", "--out", P("n.png"));
        Assert.Equal(2, bad.Code);
        Assert.Contains("has no column 'no_such_column'", bad.Err);
        Assert.False(File.Exists(P("n.png")));
    }

    [Fact]
    public void Metrics_csv_names_time_units_and_old_files_without_units_still_parse()
    {
        var row = new MetricsRow(0, -1.5, -1.25, 0.01, true, 1e-7, false, 0.1, 0.2, 0.3, 0.4, 1.1, 0.01, 0.25);
        string csv = MetricsRow.ToCsv([row]);
        Assert.StartsWith("iteration,pre_return,post_return,kl,step_accepted,cg_residual,negative_curvature,hypergradient_damping,time_sampling_s,", csv);
        Assert.Equal(row, Assert.Single(MetricsRow.ParseCsv(csv)));

        // A file from before the unit suffixes and the inner_kl column: 13 columns; the missing one reads as 0.
        string[] lines = csv.TrimEnd('\n').Split('\n');
        string old = MetricsRow.HeaderWithoutUnits + "\n" + string.Join(',', lines[1].Split(',').Take(13)) + "\n";
        Assert.Equal(row with { InnerKl = 0 }, Assert.Single(MetricsRow.ParseCsv(old)));
        Assert.Throws<InvalidDataException>(() => MetricsRow.ParseCsv("a,b\n1,2\n"));
    }

    [Fact]
    public void Frozenlake_records_its_kind_and_refuses_a_rerun_without_force()
    {
        string[] args = ["frozenlake", "--variance", "low", "--distance", "kl2", "--size", "2", "--train-tasks", "2", "--test-tasks", "2",
            "--iterations", "1", "--q", "exact", "--tasks-per-iteration", "2", "--out", P("fl")];
        Assert.Equal(0, Cli(args).Code);
        Assert.Contains("\"finished\": true", File.ReadAllText(P("fl", "run.json")));
        var again = Cli(args);
        Assert.Equal(2, again.Code);
        Assert.Contains("already holds a finished frozenlake run", again.Err);
        Assert.Equal(0, Cli([.. args, "--force"]).Code);
    }

    [Fact]
    public void An_unusable_BOMRL_MUJOCO_LIB_is_refused_naming_the_path_and_why()
    {
        Assert.Contains("no such file", MujocoNative.OpenOverride(P("missing.so"), out _));
        File.WriteAllText(P("fake.so"), "not a library");
        Assert.Contains("not a loadable shared library", MujocoNative.OpenOverride(P("fake.so"), out _));
        Assert.Contains($"BOMRL_MUJOCO_LIB={P("fake.so")}", MujocoNative.OpenOverride(P("fake.so"), out nint h));
        Assert.Equal(0, h);
    }

    [Fact]
    public void Help_names_the_program_bomrl()
    {
        var stdout = new StringWriter();
        Assert.Equal(0, Program.Run(["--help"], stdout, new StringWriter()));
        Assert.Contains("bomrl [command] [options]", stdout.ToString());
    }
}
