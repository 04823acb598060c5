using BoMrl.Configuration;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// Each learner owns its config keys: it checks them, and a key that belongs to another learner, set to other than its
/// default, is refused by name instead of being silently ignored (the run would not do what the config says).
/// </summary>
public sealed class LearnerSectionTests
{
    private static TrainConfig Parse(string algorithm, string extra, string metaUpdate = "") => ConfigLoader.Parse($$"""
        { "env": { "name": "navigation2d" }, "algorithm": { "name": "{{algorithm}}"{{extra}} }{{metaUpdate}} }
        """);

    [Theory]
    [InlineData("bomrl", """, "clip_eps": 0.2""", "algorithm.clip_eps", "promp")]
    [InlineData("bomrl", """, "exploration_weight": 0.5""", "algorithm.exploration_weight", "emaml")]
    [InlineData("maml-trpo", """, "lambda": 0.3""", "algorithm.lambda", "bomrl")]
    [InlineData("maml-trpo", """, "num_ppo_steps": 3""", "algorithm.num_ppo_steps", "promp")]
    [InlineData("emaml", """, "hypergradient_terms": "full" """, "algorithm.hypergradient_terms", "bomrl")]
    [InlineData("promp", """, "first_order": true""", "algorithm.first_order", "maml-trpo")]
    [InlineData("promp", """, "distance": "kl2" """, "algorithm.distance", "bomrl")]
    public void A_key_of_another_learner_off_its_default_is_refused_by_name(string algorithm, string extra, string key, string owner)
    {
        string metaUpdate = algorithm == "promp" ? """, "meta_update": { "method": "adam" }""" : "";
        var e = Assert.Throws<ConfigException>(() => Parse(algorithm, extra, metaUpdate));
        Assert.Contains($"config key '{key}' belongs to algorithm {owner}; {algorithm} does not use it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_meta_update_key_of_bomrl_is_refused_for_the_others_too()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("maml-trpo", "", """, "meta_update": { "fisher_subsample": 20 }"""));
        Assert.Contains("'meta_update.fisher_subsample' belongs to algorithm bomrl", e.Message, StringComparison.Ordinal);
        Assert.Equal(20, Parse("bomrl", "", """, "meta_update": { "fisher_subsample": 20 }""").MetaUpdate.FisherSubsample);
    }

    [Fact]
    public void Foreign_keys_at_their_defaults_load_so_old_config_files_keep_loading()
    {
        // A resolved config.json lists every key of the flat algorithm object at its value: reading it back must work.
        TrainConfig maml = Parse("maml-trpo", """, "lambda": 0.5, "clip_eps": 0.3, "distance": "kl1" """);
        Assert.Equal(ConfigLoader.ToJson(maml), ConfigLoader.ToJson(ConfigLoader.Parse(ConfigLoader.ToJson(maml))));
        TrainConfig bomrl = Parse("bomrl", """, "fast_lr": 0.1, "lambda": 2.0 """);
        Assert.Equal(2.0, bomrl.Algorithm.Lambda);
    }

    [Fact]
    public void Each_learner_checks_its_own_keys_and_the_meta_updates_it_takes()
    {
        Assert.Contains("'algorithm.lambda' must be a positive", Assert.Throws<ConfigException>(() => Parse("bomrl", """, "lambda": -1""")).Message, StringComparison.Ordinal);
        Assert.Contains("'algorithm.clip_eps'", Assert.Throws<ConfigException>(() =>
            Parse("promp", """, "clip_eps": 1.5""", """, "meta_update": { "method": "adam" }""")).Message, StringComparison.Ordinal);
        Assert.Contains("must be adam or sgd for algorithm promp (got 'trpo')", Assert.Throws<ConfigException>(() => Parse("promp", "")).Message, StringComparison.Ordinal);
        Assert.Equal("per-step", Parse("bomrl", "").Algorithm.Weighting);
        Assert.Equal("per-episode", Parse("maml-trpo", "").Algorithm.Weighting);
    }

    [Fact]
    public void Study_tables_name_each_learners_settings()
    {
        Assert.Equal("δ 0.01; λ 0.5; GAE(1), standardised", MetaLearners.DescribeSettings(Parse("bomrl", "")));
        Assert.Equal("δ 0.01; α 0.1", MetaLearners.DescribeSettings(Parse("maml-trpo", "")));
        Assert.Equal("adam 0.001; α 0.1", MetaLearners.DescribeSettings(Parse("promp", "", """, "meta_update": { "method": "adam", "lr": 0.001 }""")));
    }
}
