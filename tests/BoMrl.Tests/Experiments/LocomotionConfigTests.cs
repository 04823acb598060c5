using BoMrl.Cli;
using BoMrl.Configuration;
using BoMrl.Environments.Mujoco;
using BoMrl.Meta;
using BoMrl.Runs;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// The configs of the paper's locomotion experiments (Section 6): the -paper ones carry Appendix B's settings, the shipped
/// ones are the tuning protocol's choice; all load and run through the same <c>bomrl train / test</c> path as navigation.
/// </summary>
public sealed class LocomotionConfigTests : IDisposable
{
    private static readonly string[] Families = ["halfcheetah-vel", "halfcheetah-dir", "ant-vel", "ant-dir"];
    private static readonly string[] Algorithms = ["bomrl-kl1", "bomrl-kl2", "bomrl-l2", "maml-trpo", "promp", "emaml"];

    private readonly string _root = Directory.CreateTempSubdirectory("bomrl-loco-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string ConfigPath(string file) => Path.Combine(TrainConfigTests.RepoRoot(), "configs", file);

    [Fact]
    public void Every_shipped_config_loads_and_builds_its_learner()
    {
        string[] files = Directory.GetFiles(Path.Combine(TrainConfigTests.RepoRoot(), "configs"), "*.json");
        Assert.True(files.Length >= 54, $"expected the 6 navigation (and 2 -maximiser), 24 locomotion and 24 locomotion -paper configs, found {files.Length}");
        foreach (string f in files)
        {
            TrainConfig c = ConfigLoader.Load(f);
            IMetaLearner learner = MetaLearners.Create(c, c.Seed);
            try
            {
                string expected = c.Algorithm.Name == "bomrl" ? "bomrl-" + c.Algorithm.Distance : c.Algorithm.Name!;
                Assert.Equal(expected, learner.Algorithm);
                // The file name states the family and algorithm it configures (-paper: at the published settings;
                // -maximiser: eq. (7) solved to a maximiser, the premise of eq. (8)).
                Assert.Contains(Path.GetFileName(f), new[] { $"{c.Env.Name}-{expected}.json", $"{c.Env.Name}-{expected}-paper.json", $"{c.Env.Name}-{expected}-maximiser.json" });
            }
            finally
            {
                (learner as IDisposable)?.Dispose();
            }
        }
    }

    [Fact]
    public void Every_shipped_locomotion_config_is_the_tuning_protocols_choice()
    {
        // Half-cheetah: the configuration `bomrl tune` chose (results/locomotion-tuning/chosen); Ant: its -paper config with
        // the keys the choice of the half-cheetah family of the same task kind changed (docs/experiments.md, tuning protocol).
        string chosen = Path.Combine(TrainConfigTests.RepoRoot(), "results", "locomotion-tuning", "chosen");
        foreach (string kind in (string[])["vel", "dir"])
        {
            foreach (string algorithm in Algorithms)
            {
                Dictionary<string, string> choice = Leaves(Path.Combine(chosen, $"halfcheetah-{kind}-{algorithm}.json"));
                Dictionary<string, string> paper = Leaves(ConfigPath($"halfcheetah-{kind}-{algorithm}-paper.json"));
                Assert.Equal(paper.Keys.Order(), choice.Keys.Order());
                var changed = choice.Where(kv => paper[kv.Key] != kv.Value).ToList();
                foreach (string env in (string[])["halfcheetah", "ant"])
                {
                    Dictionary<string, string> expected = Leaves(ConfigPath($"{env}-{kind}-{algorithm}-paper.json"));
                    changed.ForEach(kv => expected[kv.Key] = kv.Value);
                    Assert.Equal(expected.OrderBy(kv => kv.Key), Leaves(ConfigPath($"{env}-{kind}-{algorithm}.json")).OrderBy(kv => kv.Key));
                }
            }
        }
    }

    /// <summary>A config file's leaves: JSON path → value as JSON text.</summary>
    private static Dictionary<string, string> Leaves(string file)
    {
        var leaves = new Dictionary<string, string>();
        void Walk(System.Text.Json.Nodes.JsonNode? node, string path)
        {
            if (node is System.Text.Json.Nodes.JsonObject o)
            {
                foreach (var (key, value) in o)
                {
                    Walk(value, $"{path}/{key}");
                }
            }
            else
            {
                leaves[path] = node?.ToJsonString() ?? "null";
            }
        }

        Walk(System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file)), "");
        return leaves;
    }

    [Fact]
    public void The_paper_configs_carry_the_paper_appendix_B_settings()
    {
        // λ of Alg(1) and Alg(2) per family (Appendix B); D3's λ = 1/(2·fast_lr) (docs/experiments.md).
        var lambda = new Dictionary<string, (double Kl1, double Kl2)>
        {
            ["halfcheetah-vel"] = (0.5, 0.4),
            ["halfcheetah-dir"] = (0.5, 0.5),
            ["ant-vel"] = (0.5, 0.5),
            ["ant-dir"] = (0.5, 0.5),
        };
        foreach (string family in Families)
        {
            foreach (string algorithm in Algorithms)
            {
                TrainConfig c = ConfigLoader.Load(ConfigPath($"{family}-{algorithm}-paper.json"));
                Assert.Equal(family, c.Env.Name);
                Assert.Equal(LocomotionTasks.PaperHorizon, c.Sampler.Horizon);
                Assert.Equal(200, c.Sampler.Horizon);
                Assert.Equal(family == "ant-dir" ? 40 : 20, c.Sampler.EpisodesPerTask);
                Assert.Equal(40, c.Sampler.MetaBatchSize);
                Assert.Equal([64, 64], c.Policy.HiddenSizes);
                Assert.Equal("tanh", c.Policy.Nonlinearity);
                Assert.Equal(500, c.Iterations);
                if (algorithm == "promp")
                {
                    // ProMP's MuJoCo run script: inner_lr 0.1, one inner step, clip_eps 0.3, η 5e-4 fixed, 5 Adam steps of 1e-3.
                    Assert.Equal("promp", c.Algorithm.Name);
                    Assert.Equal(0.1, c.Algorithm.FastLr);
                    Assert.Equal(1, c.Algorithm.NumSteps);
                    Assert.Equal(0.3, c.Algorithm.ClipEps);
                    Assert.Equal(5e-4, c.Algorithm.InnerKlCoeff);
                    Assert.False(c.Algorithm.AdaptiveInnerKl);
                    Assert.Equal(5, c.Algorithm.NumPpoSteps);
                    Assert.Equal("adam", c.MetaUpdate.Method);
                    Assert.Equal(1e-3, c.MetaUpdate.Lr);
                    continue;
                }

                Assert.Equal("trpo", c.MetaUpdate.Method);
                Assert.Equal(10, c.MetaUpdate.CgIterations);
                Assert.Equal(1e-5, c.MetaUpdate.CgDamping);
                if (algorithm is "maml-trpo" or "emaml")
                {
                    Assert.Equal(algorithm, c.Algorithm.Name);
                    Assert.Equal(0.01, c.MetaUpdate.MaxKl);
                    Assert.Equal(0.1, c.Algorithm.FastLr);
                    Assert.Equal(1, c.Algorithm.NumSteps);
                    Assert.False(c.Algorithm.FirstOrder);
                }
                else
                {
                    Assert.Equal("bomrl", c.Algorithm.Name);
                    Assert.Equal(1e-3, c.MetaUpdate.MaxKl);
                    Assert.Equal(50, c.Algorithm.InnerIterations);
                    double expected = c.Algorithm.Distance switch
                    {
                        "kl1" => lambda[family].Kl1,
                        "kl2" => lambda[family].Kl2,
                        _ => 1 / (2 * ConfigLoader.Load(ConfigPath($"{family}-maml-trpo-paper.json")).Algorithm.FastLr),
                    };
                    Assert.Equal(expected, c.Algorithm.Lambda);
                }
            }
        }
    }

    [Fact]
    public void Every_published_emaml_config_is_its_maml_trpo_config_plus_the_exploration_term()
    {
        // Locomotion: the -paper configs (the shipped ones are tuned per method); navigation: the shipped ones.
        foreach (string name in Families.Select(f => (f, "-paper")).Prepend(("navigation2d", "")).Select(p => p.Item1 + "-{0}" + p.Item2))
        {
            TrainConfig emaml = ConfigLoader.Load(ConfigPath(string.Format(System.Globalization.CultureInfo.InvariantCulture, name, "emaml") + ".json"));
            TrainConfig maml = ConfigLoader.Load(ConfigPath(string.Format(System.Globalization.CultureInfo.InvariantCulture, name, "maml-trpo") + ".json"));
            Assert.Equal("emaml", emaml.Algorithm.Name);
            Assert.Equal(1.0, emaml.Algorithm.ExplorationWeight);
            Assert.Equal("per-episode", emaml.Algorithm.Weighting);
            TrainConfig same = emaml with { Algorithm = emaml.Algorithm with { Name = "maml-trpo" } };
            Assert.Equal(ConfigLoader.ToJson(maml), ConfigLoader.ToJson(same));
        }
    }

    [Fact]
    public void Three_bomrl_iterations_on_halfcheetah_vel_run_through_train_and_test()
    {
        // The shipped config at a reduced scale: what differs from configs/halfcheetah-vel-bomrl-kl2.json is size only.
        TrainConfig shipped = ConfigLoader.Load(ConfigPath("halfcheetah-vel-bomrl-kl2.json"));
        TrainConfig small = shipped with
        {
            Sampler = shipped.Sampler with { MetaBatchSize = 2, EpisodesPerTask = 2, Horizon = 20 },
            Algorithm = shipped.Algorithm with { InnerIterations = 5 },
            Test = new TestConfig { Steps = 2, Tasks = 2 },
            Iterations = 3,
        };
        string config = Path.Combine(_root, "small.json");
        File.WriteAllText(config, ConfigLoader.ToJson(small));
        string run = Path.Combine(_root, "run");

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var ctx = new CliContext(stdout, stderr); // no stand-in: MetaLearners.Create builds the real BO-MRL learner
        Assert.True(Program.Run(["train", "--config", config, "--out", run, "--threads", "2"], ctx) == 0, stderr.ToString());
        Assert.True(Program.Run(["test", "--run", run], ctx) == 0, stderr.ToString());

        var folder = new RunFolder(run);
        Assert.Equal("halfcheetah-vel", folder.ReadConfig().Env.Name);
        Checkpoint checkpoint = folder.ReadCheckpoint()!;
        Assert.Equal(3, checkpoint.CompletedIterations);
        Assert.Equal("bomrl-kl2", checkpoint.Algorithm);
        Assert.All(checkpoint.Phi, v => Assert.True(double.IsFinite(v)));

        string[] lines = File.ReadAllLines(folder.MetricsPath);
        Assert.Equal(MetricsRow.Header, lines[0]);
        Assert.Equal(4, lines.Length);
        foreach (MetricsRow row in checkpoint.Metrics)
        {
            double[] values = [row.PreReturn, row.PostReturn, row.Kl, row.CgResidual, row.TimeSampling, row.TimeInner,
                row.TimeHypergradient, row.TimeMetaUpdate, row.TimeTotal];
            Assert.All(values, v => Assert.True(double.IsFinite(v)));
            Assert.True(row.PreReturn < 0 && row.PostReturn < 0, "velocity-tracking returns are −|v − g| − ctrl cost per step");
            Assert.True(row.TimeSampling > 0 && row.TimeInner > 0 && row.TimeHypergradient > 0 && row.TimeMetaUpdate > 0);
        }

        MetaTestReport report = folder.ReadTestReport();
        Assert.Equal("bomrl-kl2", report.Algorithm);
        Assert.Equal(3, report.ReturnsByStep.Length);
        Assert.All(report.ReturnsByStep, v => Assert.True(double.IsFinite(v)));
        Assert.True(File.Exists(folder.TestPlotPath));
    }
}
