using BoMrl.Configuration;
using BoMrl.Sampling;

namespace BoMrl.Tests.Sampling;

public class MonteCarloQTests
{
    /// <summary>Two episodes of a horizon-4 batch (lengths 3 and 4) with hand-picked rewards; obs = (t, e) to make the baseline non-trivial.</summary>
    private static TrajectoryBatch HandMadeBatch()
    {
        var b = new TrajectoryBatch(2, 4, 2, 1);
        b.Lengths[0] = 3;
        b.Lengths[1] = 4;
        double[] rewards = [1, 2, 3, 0, -1, 0, 0, 2];
        rewards.CopyTo(b.Rewards, 0);
        for (int row = 0; row < 8; row++)
        {
            b.Observations[2 * row] = row % 4;
            b.Observations[2 * row + 1] = row / 4;
        }

        return b;
    }

    /// <summary>Q̂ of <see cref="HandMadeBatch"/> at γ = 0.5, row by row (padding 0).</summary>
    private static readonly double[] ExpectedQ = [1 + 0.5 * (2 + 0.5 * 3), 2 + 0.5 * 3, 3, 0, -1 + 0.125 * 2, 0.25 * 2, 0.5 * 2, 2];

    [Fact]
    public void Monte_carlo_q_is_the_discounted_return_to_go_of_each_step()
    {
        TrajectoryBatch b = HandMadeBatch();
        Advantages.Compute(b, new AdvantageOptions(Gamma: 0.5, Normalize: false, Estimator: AdvantageEstimator.MonteCarloQ),
            new LinearFeatureBaseline(2));
        Assert.Equal(ExpectedQ, b.Advantages);
        Assert.Equal(ExpectedQ, b.Returns);
    }

    [Fact]
    public void Centred_monte_carlo_q_subtracts_the_mean_over_valid_steps_and_keeps_padding_zero()
    {
        TrajectoryBatch b = HandMadeBatch();
        Advantages.Compute(b, new AdvantageOptions(Gamma: 0.5, Normalize: false, Estimator: AdvantageEstimator.MonteCarloQ, CenterQ: true),
            new LinearFeatureBaseline(2));
        double mean = (ExpectedQ.Sum() - ExpectedQ[3]) / 7; // row 3 is padding
        for (int row = 0; row < 8; row++)
        {
            Assert.Equal(row == 3 ? 0.0 : ExpectedQ[row] - mean, b.Advantages[row], 12);
        }

        Assert.Equal(0.0, b.Advantages.Sum(), 12);
    }

    [Fact]
    public void The_gae_path_is_unchanged_by_the_estimator_setting_default()
    {
        // GAE(λ = 1) = Q̂ − V with V the baseline fitted to Q̂: recomputed here step by step, so the default path is pinned.
        TrajectoryBatch b = HandMadeBatch();
        var baseline = new LinearFeatureBaseline(2);
        Advantages.Compute(b, new AdvantageOptions(Gamma: 0.5, Normalize: false, CenterQ: true), baseline);
        TrajectoryBatch reference = HandMadeBatch();
        Advantages.DiscountedReturns(reference, 0.5);
        var fit = new LinearFeatureBaseline(2);
        fit.Fit(reference, reference.Returns);
        var values = new double[8];
        fit.Predict(reference, values);
        Advantages.Gae(reference, values, 0.5, 1.0);
        Assert.Equal(reference.Advantages, b.Advantages);
        Assert.NotEqual(ExpectedQ, b.Advantages);
    }

    [Fact]
    public void Sampler_config_maps_estimator_and_center_q_and_rejects_unknown_estimators()
    {
        TrainConfig c = ConfigLoader.Parse("""{"env": {"name": "navigation2d"}, "algorithm": {"name": "bomrl"}, "sampler": {"estimator": "monte-carlo-q", "center_q": true}}""");
        AdvantageOptions o = c.Sampler.ToAdvantageOptions();
        Assert.Equal(AdvantageEstimator.MonteCarloQ, o.Estimator);
        Assert.True(o.CenterQ);
        Assert.Equal(AdvantageEstimator.Gae, ConfigLoader.Parse("""{"env": {"name": "navigation2d"}, "algorithm": {"name": "bomrl"}}""").Sampler.ToAdvantageOptions().Estimator);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("""{"env": {"name": "navigation2d"}, "algorithm": {"name": "bomrl"}, "sampler": {"estimator": "td"}}"""));
        Assert.Contains("sampler.estimator", e.Message, StringComparison.Ordinal);
    }
}
