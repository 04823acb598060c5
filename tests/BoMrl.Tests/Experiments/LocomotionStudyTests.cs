using System.Text.Json.Nodes;
using BoMrl.Cli;
using BoMrl.Configuration;
using BoMrl.Runs;
using BoMrl.Sampling;
using BoMrl.Studies;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// <c>bomrl reproduce locomotion</c> on the tiny scale (halfcheetah-vel, 2 tasks × 2 episodes × 10 steps, 2 iterations,
/// real MuJoCo learners), the config overrides it applies, and the BO-MRL locomotion configs' Q estimator.
/// </summary>
public sealed class LocomotionStudyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-study-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string Configs => Path.Combine(TrainConfigTests.RepoRoot(), "configs");

    private static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, new CliContext(stdout, stderr));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string[] Study(string outDir, params string[] extra) =>
        ["reproduce", "locomotion", "--env", "halfcheetah-vel", "--scale", "tiny", "--threads", "1", "--configs", Configs, "--out", outDir, .. extra];

    [Fact]
    public void Tiny_study_writes_report_and_figures_and_a_second_invocation_skips_finished_runs()
    {
        string dir = Path.Combine(_root, "s");
        var first = Cli(Study(dir, "--methods", "bomrl-kl2,maml-trpo", "--seeds", "1,2"));
        Assert.True(first.Code == 0, first.Err);
        foreach (string f in (string[])["halfcheetah-vel.md", "halfcheetah-vel-adaptation.png", "halfcheetah-vel-training.png"])
        {
            Assert.True(new FileInfo(Path.Combine(dir, f)).Length > 0, f);
        }

        string md = File.ReadAllText(Path.Combine(dir, "halfcheetah-vel.md"));
        // Each row names its settings and has the untrained φ₀'s returns (measured once per run, beside the run folder).
        Assert.Contains("| bomrl-kl2 | δ 0.03; λ 0.1; MC-Q − baseline | 2 | ", md, StringComparison.Ordinal);
        Assert.Contains("| maml-trpo | δ 0.03; α 0.05 | 2 | ", md, StringComparison.Ordinal);
        Assert.DoesNotContain("| 2 | – |", md, StringComparison.Ordinal);
        Assert.Contains("| method | step 0 − untrained step 0 | step 1 − untrained step 1 | step 1 − step 0 |", md, StringComparison.Ordinal);
        Assert.DoesNotContain("| maml-trpo | – |", md, StringComparison.Ordinal);
        MetaTestReport untrained = MetaTestReport.Read(Path.Combine(dir, "halfcheetah-vel", "maml-trpo", "untrained-seed-2.json"));
        int steps = LocomotionScale.Tiny("halfcheetah-vel").TestSteps;
        Assert.Equal((0, steps + 1), (untrained.Iterations, untrained.ReturnsByStep.Length));
        string run = Path.Combine(dir, "halfcheetah-vel", "maml-trpo", "seed-2");
        TrainConfig c = new RunFolder(run).ReadConfig();
        Assert.Equal((2, 2, 10, 2, 2L), (c.Sampler.MetaBatchSize, c.Sampler.EpisodesPerTask, c.Sampler.Horizon!.Value, c.Iterations, c.Seed));
        Assert.Contains("study eta", first.Out, StringComparison.Ordinal);
        string metrics = File.ReadAllText(Path.Combine(run, "metrics.csv"));
        string test = File.ReadAllText(Path.Combine(run, "test.json"));

        var second = Cli(Study(dir, "--methods", "bomrl-kl2,maml-trpo", "--seeds", "1,2"));
        Assert.True(second.Code == 0, second.Err);
        Assert.Equal(4, second.Out.Split('\n').Count(l => l.Contains(": skipped (trained", StringComparison.Ordinal)));
        Assert.Equal(4, second.Out.Split('\n').Count(l => l.Contains(": skipped test", StringComparison.Ordinal)));
        Assert.DoesNotContain("iteration 1/2", second.Out, StringComparison.Ordinal);
        Assert.Equal(metrics, File.ReadAllText(Path.Combine(run, "metrics.csv")));
        Assert.Equal(test, File.ReadAllText(Path.Combine(run, "test.json")));
        Assert.DoesNotContain("untrained φ₀", second.Out, StringComparison.Ordinal); // measured once

        // A report from a build that measured step 0 only is measured again: every step, the same step 0.
        string path = Path.Combine(dir, "halfcheetah-vel", "maml-trpo", "untrained-seed-2.json");
        (untrained with { ReturnsByStep = untrained.ReturnsByStep[..1], StderrByStep = untrained.StderrByStep![..1] }).Write(path);
        var third = Cli(Study(dir, "--methods", "maml-trpo", "--seeds", "2"));
        Assert.True(third.Code == 0, third.Err);
        Assert.Contains("untrained φ₀, return by step", third.Out, StringComparison.Ordinal);
        MetaTestReport again = MetaTestReport.Read(path);
        Assert.Equal(untrained.ReturnsByStep, again.ReturnsByStep);
        Assert.Equal(untrained.StderrByStep, again.StderrByStep);
    }

    [Fact]
    public void Meta_learning_and_adaptation_gains_are_paired_over_seeds()
    {
        // Three seeds: trained [step 0, step 1] and the same seed's untrained φ₀. Step-0 differences 1, 2, 3: mean 2,
        // standard error 1/√3; step 1 − step 0: 2, 3, 1.
        double[][] trained = [[1, 3], [2, 5], [3, 4]];
        double[][] untrained = [[0, 1], [0, 1], [0, 1]];
        var row = new MethodSummary("m", 3, [2, 4], [0, 0], 1, 1, [0], [0], PerSeed: trained, UntrainedPerSeed: untrained);
        Assert.Equal(2, row.MetaLearningGain(0)!.Value.Mean, 12);
        Assert.Equal(1 / Math.Sqrt(3), row.MetaLearningGain(0)!.Value.Stderr, 12);
        Assert.Equal(3, row.MetaLearningGain(1)!.Value.Mean, 12);
        Assert.Equal(2, row.AdaptationGain!.Value.Mean, 12);
        Assert.Null(row.MetaLearningGain(2)); // not measured at step 2
        Assert.Null((row with { UntrainedPerSeed = [[0], [0], [0]] }).MetaLearningGain(1)); // a step-0-only report
        Assert.Null((row with { UntrainedPerSeed = null }).MetaLearningGain(0));
    }

    [Fact]
    public void An_unfinished_run_resumes_from_its_checkpoint_to_the_uninterrupted_result()
    {
        string whole = Path.Combine(_root, "whole"), parts = Path.Combine(_root, "parts");
        Assert.Equal(0, Cli(Study(whole, "--methods", "bomrl-l2", "--seeds", "3")).Code);
        // An interrupted study: the run folder after 1 of 2 iterations (what a kill after iteration 1 leaves).
        Assert.Equal(0, Cli(["train", "--config", Path.Combine(whole, "halfcheetah-vel", "bomrl-l2", "seed-3", "config.json"),
            "--out", Path.Combine(parts, "halfcheetah-vel", "bomrl-l2", "seed-3"), "--iterations", "1"]).Code);
        var resumed = Cli(Study(parts, "--methods", "bomrl-l2", "--seeds", "3"));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("resuming at iteration 1", resumed.Out, StringComparison.Ordinal);
        string Csv(string d) => Path.Combine(d, "halfcheetah-vel", "bomrl-l2", "seed-3", "metrics.csv");
        Assert.Equal(TrainerTests.DeterministicColumns(Csv(whole)), TrainerTests.DeterministicColumns(Csv(parts)));
    }

    [Theory]
    [InlineData("--env", "walker", "unknown environment 'walker'")]
    [InlineData("--methods", "bomrl-kl2,nosuch", "no config")]
    [InlineData("--methods", "bomrl-kl2,bomrl-kl2", "--methods")]
    [InlineData("--seeds", "1,two", "--seeds: 'two' is not an integer")]
    [InlineData("--seeds", "1,1", "--seeds: repeated seed")]
    [InlineData("--scale", "huge", "--scale: unknown scale 'huge'")]
    public void Bad_env_methods_seeds_or_scale_is_one_line_and_exit_2(string option, string value, string fragment)
    {
        string dir = Path.Combine(_root, "bad");
        string[] args = option switch
        {
            "--env" => ["reproduce", "locomotion", "--env", value, "--configs", Configs, "--out", dir],
            "--scale" => ["reproduce", "locomotion", "--env", "ant-vel", "--scale", value, "--configs", Configs, "--out", dir],
            _ => [.. Study(dir), option, value],
        };
        var r = Cli(args);
        Assert.Equal(2, r.Code);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Contains(fragment, r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "halfcheetah-vel")));
    }

    [Fact]
    public void A_study_claims_its_folder_refuses_other_kinds_and_a_second_writer()
    {
        string frozen = Path.Combine(_root, "fl");
        Directory.CreateDirectory(frozen);
        File.WriteAllText(Path.Combine(frozen, "summary.json"), "{}");
        var other = Cli(Study(frozen, "--methods", "maml-trpo", "--seeds", "1"));
        Assert.Equal(2, other.Code);
        Assert.Contains("holds a frozenlake run", other.Err, StringComparison.Ordinal);
        Assert.Single(other.Err.TrimEnd().Split('\n'));

        string dir = Path.Combine(_root, "held");
        using (RunClaim.Take(dir, RunKinds.Study))
        {
            var second = Cli(Study(dir, "--methods", "maml-trpo", "--seeds", "1"));
            Assert.Equal(2, second.Code);
            Assert.Contains("in use by another bomrl process", second.Err, StringComparison.Ordinal);
        }

        Assert.Equal(0, Cli(Study(dir, "--methods", "maml-trpo", "--seeds", "1")).Code);
        Assert.Contains("\"study\"", File.ReadAllText(Path.Combine(dir, RunClaim.InfoFileName)), StringComparison.Ordinal);
        Assert.Contains("\"finished\": true", File.ReadAllText(Path.Combine(dir, "halfcheetah-vel", "maml-trpo", "seed-1", RunClaim.InfoFileName)),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Overrides_merge_into_the_config_before_validation_and_unknown_keys_name_their_path()
    {
        string file = Path.Combine(Configs, "halfcheetah-vel-maml-trpo.json");
        JsonObject o = LocomotionStudy.Overrides("maml-trpo", LocomotionScale.Quick("halfcheetah-vel"), 7, 2);
        TrainConfig c = ConfigLoader.Load(file, o);
        Assert.Equal((10, 10, 200, 30, 7L, 2, 40, 3), (c.Sampler.MetaBatchSize, c.Sampler.EpisodesPerTask, c.Sampler.Horizon!.Value,
            c.Iterations, c.Seed, c.Sampler.Threads, c.Test.Tasks, c.Test.Steps));
        Assert.Equal(ConfigLoader.Load(file).Algorithm.FastLr, c.Algorithm.FastLr); // keys the override does not name keep the file's values
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(file, new JsonObject { ["sampler"] = new JsonObject { ["horizn"] = 3 } }));
        Assert.Contains("unknown config key 'sampler.horizn'", e.Message, StringComparison.Ordinal);
        Assert.True(ConfigLoader.HasKey("sampler.center_q"));
        Assert.False(ConfigLoader.HasKey("sampler.center_q.x"));
        // The weighting override (per-step for every row but the per-episode one) leaves a per-step learner's config as it was.
        Assert.Equal("per-step", c.Algorithm.Weighting);
        string bomrl = Path.Combine(Configs, "halfcheetah-vel-bomrl-kl2.json");
        TrainConfig overridden = ConfigLoader.Load(bomrl, LocomotionStudy.Overrides("bomrl-kl2", LocomotionScale.Paper("halfcheetah-vel"), 1, null));
        Assert.Equal(ConfigLoader.Load(bomrl).Algorithm, overridden.Algorithm);
    }

    [Fact]
    public void Paper_scale_is_appendix_b()
    {
        Assert.Equal((40, 20, 200, 500), Tuple(LocomotionScale.Paper("halfcheetah-vel")));
        Assert.Equal((40, 40, 200, 500), Tuple(LocomotionScale.Paper("ant-dir")));
        Assert.Equal((10, 10, 200, 100), Tuple(LocomotionScale.Named("long", "halfcheetah-dir")!)); // quick's data, 100 iterations
        static (int, int, int, int) Tuple(LocomotionScale s) => (s.MetaBatchSize, s.EpisodesPerTask, s.Horizon, s.Iterations);
    }

    [Theory]
    [InlineData("halfcheetah-vel")]
    [InlineData("halfcheetah-dir")]
    [InlineData("ant-vel")]
    [InlineData("ant-dir")]
    public void Bomrl_paper_configs_use_centred_monte_carlo_q_without_standardisation(string env)
    {
        foreach (string d in (string[])["kl1", "kl2", "l2"])
        {
            AdvantageOptions a = ConfigLoader.Load(Path.Combine(Configs, $"{env}-bomrl-{d}-paper.json")).Sampler.ToAdvantageOptions();
            Assert.Equal((AdvantageEstimator.MonteCarloQ, true, false), (a.Estimator, a.CenterQ, a.Normalize));
        }
    }
}
