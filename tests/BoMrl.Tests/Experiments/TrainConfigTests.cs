using BoMrl.Configuration;

namespace BoMrl.Tests.Experiments;

public class TrainConfigTests
{
    private const string Minimal = """{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" } }""";

    private static string Error(string json) => Assert.Throws<ConfigException>(() => ConfigLoader.Parse(json)).Message;

    [Fact]
    public void Minimal_config_resolves_to_pytorch_maml_rl_defaults_and_the_family_horizon()
    {
        TrainConfig c = ConfigLoader.Parse(Minimal);
        Assert.Equal(100, c.Sampler.Horizon);
        Assert.Equal(20, c.Sampler.MetaBatchSize);
        Assert.Equal(20, c.Sampler.EpisodesPerTask);
        Assert.Equal([64, 64], c.Policy.HiddenSizes);
        Assert.Equal(0.1, c.Algorithm.FastLr);
        Assert.Equal(0.01, c.MetaUpdate.MaxKl);
        Assert.Equal(1e-5, c.MetaUpdate.CgDamping);
        Assert.Equal("kl1", c.Algorithm.Distance);
        Assert.Equal(100, c.Iterations);
    }

    [Fact]
    public void Resolved_config_round_trips_through_its_json()
    {
        TrainConfig c = ConfigLoader.Parse("""
            // comments are allowed
            { "env": { "name": "navigation2d", "variant": "maml" }, "algorithm": { "name": "bomrl", "distance": "d2", "lambda": 0.3 },
              "sampler": { "horizon": 50, "threads": 2, }, "seed": 7 }
            """);
        Assert.Equal("kl2", c.Algorithm.Distance);
        string json = ConfigLoader.ToJson(c);
        Assert.Contains("\"meta_batch_size\": 20", json);
        Assert.Contains("\"hypergradient_cg_iterations\": 20", json);
        TrainConfig again = ConfigLoader.Parse(json);
        Assert.Equal(json, ConfigLoader.ToJson(again));
        Assert.Equal(50, again.Sampler.Horizon);
        Assert.Equal(7, again.Seed);
    }

    [Theory]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "horizn": 5 } }""", "unknown config key 'sampler.horizn'")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "iteratons": 5 }""", "unknown config key 'iteratons'")]
    [InlineData("""{ "env": { "name": "navigation2d", "extra": { "a": 1 } }, "algorithm": { "name": "bomrl" } }""", "unknown config key 'env.extra'")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "Lambda": 1 } }""", "unknown config key 'algorithm.Lambda'")]
    public void Unknown_keys_anywhere_are_errors_naming_the_full_key(string json, string expected) =>
        Assert.Equal(expected, Error(json));

    [Theory]
    [InlineData("""{ "algorithm": { "name": "bomrl" } }""", "missing config key 'env.name'")]
    [InlineData("""{ "env": { "name": "navigation2d" } }""", "missing config key 'algorithm.name'")]
    [InlineData("""{ "env": { "name": "navigation3d" }, "algorithm": { "name": "bomrl" } }""", "config key 'env.name': unknown environment 'navigation3d'")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "ppo" } }""", "config key 'algorithm.name' must be one of bomrl, maml-trpo")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "distance": "kl3" } }""", "config key 'algorithm.distance' must be one of kl1, kl2, l2")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "maml-trpo", "weighting": "per-task" } }""", "config key 'algorithm.weighting' must be one of per-step, per-episode")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "emaml", "exploration_weight": -1 } }""", "config key 'algorithm.exploration_weight' must be")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "lambda_learning": "learned" } }""", "config key 'algorithm.lambda_learning' must be one of fixed, meta")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "hypergradient_terms": "all" } }""", "config key 'algorithm.hypergradient_terms' must be one of eq8, full")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "lambda_lr": 0 } }""", "config key 'algorithm.lambda_lr' must be a positive")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "inner_grad_tol": -1 } }""", "config key 'algorithm.inner_grad_tol' must be")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl", "inner_newton_iterations": -1 } }""", "config key 'algorithm.inner_newton_iterations' must be")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "gamma": 1.5 } }""", "config key 'sampler.gamma' must lie in (0, 1]")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "sampler": { "threads": "four" } }""", "config key 'sampler.threads' must be an integer")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "policy": { "hidden_sizes": [64, 0] } }""", "config key 'policy.hidden_sizes[1]' must be a positive integer")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "policy": { "hidden_sizes": [64, 1.5] } }""", "config key 'policy.hidden_sizes[1]' must be an integer")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "iterations": -1 }""", "config key 'iterations' must be")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "meta_update": null }""", "config key 'meta_update' must be an object")]
    [InlineData("""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "bomrl" }, "seed": 1, "seed": 2 }""", "duplicate config key 'seed'")]
    [InlineData("""{ "env": { "name": "navigation2d" }, """, "config is not valid JSON")]
    [InlineData("""[1, 2]""", "a config must be a JSON object")]
    public void Invalid_values_are_errors_naming_key_and_problem(string json, string expectedPrefix)
    {
        string message = Error(json);
        Assert.StartsWith(expectedPrefix, message);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void Shipped_configs_load()
    {
        string dir = Path.Combine(RepoRoot(), "configs");
        string[] files = Directory.GetFiles(dir, "navigation2d-*.json");
        Assert.Equal(9, files.Length); // six methods, and BO-MRL D1/D2/D3 with the maximiser settings
        foreach (string d in (string[])["kl1", "kl2", "l2"])
        {
            // Shipped: the recorded inner solve (chosen by return, results/navigation-configs); -maximiser: eq. (7) to a maximiser.
            TrainConfig shipped = ConfigLoader.Load(Path.Combine(dir, $"navigation2d-bomrl-{d}.json"));
            TrainConfig maximiser = ConfigLoader.Load(Path.Combine(dir, $"navigation2d-bomrl-{d}-maximiser.json"));
            Assert.Equal((50, 20, 0), (shipped.Algorithm.InnerIterations, shipped.Algorithm.HypergradientSubsample, shipped.Algorithm.InnerLbfgsIterations));
            Assert.Equal((150, 1, 100), (maximiser.Algorithm.InnerIterations, maximiser.Algorithm.HypergradientSubsample, maximiser.Algorithm.InnerLbfgsIterations));
        }

        foreach (string f in files)
        {
            TrainConfig c = ConfigLoader.Load(f);
            Assert.Equal("navigation2d", c.Env.Name);
        }

        Assert.Equal("maml-trpo", ConfigLoader.Load(Path.Combine(dir, "navigation2d-maml-trpo.json")).Algorithm.Name);
        TrainConfig promp = ConfigLoader.Load(Path.Combine(dir, "navigation2d-promp.json"));
        Assert.Equal(("promp", "adam"), (promp.Algorithm.Name, promp.MetaUpdate.Method));
        ConfigException trpo = Assert.Throws<ConfigException>(() => (promp with { MetaUpdate = new MetaUpdateConfig() }).Resolve());
        Assert.StartsWith("config key 'meta_update.method' must be adam or sgd", trpo.Message);
        Assert.Equal("l2", ConfigLoader.Load(Path.Combine(dir, "navigation2d-bomrl-l2.json")).Algorithm.Distance);
    }

    [Theory]
    [InlineData("bomrl", null, "per-step")]
    [InlineData("maml-trpo", null, "per-episode")]
    [InlineData("emaml", null, "per-episode")]
    [InlineData("maml-trpo", "per-step", "per-step")]
    [InlineData("emaml", "per-step", "per-step")]
    [InlineData("bomrl", "per-episode", "per-episode")]
    public void Row_weighting_is_a_plain_key_whose_absence_means_the_learners_own(string name, string? weighting, string resolved)
    {
        string key = weighting is null ? "" : $", \"weighting\": \"{weighting}\"";
        TrainConfig c = ConfigLoader.Parse($$"""{ "env": { "name": "navigation2d" }, "algorithm": { "name": "{{name}}"{{key}} } }""");
        Assert.Equal(resolved, c.Algorithm.Weighting);
        // The resolved config (the run folder's config.json) states it, and reads back the same.
        Assert.Equal(resolved, ConfigLoader.Parse(ConfigLoader.ToJson(c)).Algorithm.Weighting);
        Assert.Contains($"\"weighting\": \"{resolved}\"", ConfigLoader.ToJson(c));
    }

    internal static string RepoRoot()
    {
        string? d = AppContext.BaseDirectory;
        while (d is not null && !File.Exists(Path.Combine(d, "BoMrl.slnx")))
        {
            d = Path.GetDirectoryName(d);
        }

        return d ?? throw new InvalidOperationException("repository root not found");
    }
}
