using BoMrl.Numerics;
using BoMrl.Sampling;

namespace BoMrl.Tests.Sampling;

public class AdvantagesTests
{
    /// <summary>A batch with random observations and lengths (3 episodes, horizon 50, obs 3).</summary>
    private static TrajectoryBatch RandomBatch(int seed)
    {
        var rng = new Random(seed);
        var b = new TrajectoryBatch(3, 50, 3, 1);
        int[] lengths = [50, 37, 12];
        for (int e = 0; e < 3; e++)
        {
            b.Lengths[e] = lengths[e];
            for (int t = 0; t < lengths[e]; t++)
            {
                int row = e * 50 + t;
                for (int i = 0; i < 3; i++)
                {
                    b.Observations[row * 3 + i] = rng.NextGaussian();
                }

                b.Rewards[row] = rng.NextGaussian();
            }
        }

        return b;
    }

    [Fact]
    public void Discounted_returns_are_the_reward_to_go()
    {
        var b = new TrajectoryBatch(2, 4, 1, 1);
        b.Lengths[0] = 3;
        b.Lengths[1] = 4;
        b.Rewards[0] = 1; b.Rewards[1] = 2; b.Rewards[2] = 3;
        b.Rewards[4] = -1; b.Rewards[5] = 0; b.Rewards[6] = 0; b.Rewards[7] = 2;
        Advantages.DiscountedReturns(b, 0.5);
        Assert.Equal([1 + 0.5 * (2 + 0.5 * 3), 2 + 0.5 * 3, 3, 0, -1 + 0.125 * 2, 0.25 * 2, 0.5 * 2, 2], b.Returns);
    }

    [Fact]
    public void Linear_feature_baseline_fits_exactly_targets_linear_in_its_features()
    {
        TrajectoryBatch b = RandomBatch(3);
        int f = LinearFeatureBaseline.FeatureCount(3);
        Assert.Equal(10, f);
        double[] w = [0.5, -1, 2, 0.3, -0.2, 0.1, 4, -3, 1.5, -7];
        var targets = new double[b.Episodes * b.Horizon];
        Span<double> feat = stackalloc double[f];
        for (int e = 0; e < b.Episodes; e++)
        {
            for (int t = 0; t < b.Lengths[e]; t++)
            {
                int row = e * b.Horizon + t;
                LinearFeatureBaseline.Features(b.Observations.AsSpan(row * 3, 3), t, feat);
                for (int k = 0; k < f; k++)
                {
                    targets[row] += w[k] * feat[k];
                }
            }
        }

        var baseline = new LinearFeatureBaseline(3, regularization: 1e-12);
        baseline.Fit(b, targets);
        for (int k = 0; k < f; k++)
        {
            Assert.Equal(w[k], baseline.Weights[k], 1e-6);
        }

        var values = new double[targets.Length];
        baseline.Predict(b, values);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(targets[i], values[i], 1e-7);
        }

        Assert.Equal(1e-12, baseline.LastRegularization);
    }

    [Fact]
    public void Gae_with_lambda_one_equals_returns_minus_baseline()
    {
        TrajectoryBatch b = RandomBatch(4);
        Advantages.DiscountedReturns(b, 0.99);
        var baseline = new LinearFeatureBaseline(3);
        baseline.Fit(b, b.Returns);
        var values = new double[b.Episodes * b.Horizon];
        baseline.Predict(b, values);
        Assert.Contains(values, v => Math.Abs(v) > 1e-3); // a non-trivial baseline
        Advantages.Gae(b, values, 0.99, 1.0);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(b.Returns[i] - values[i], b.Advantages[i], 10);
        }
    }

    [Fact]
    public void Gae_with_lambda_zero_is_the_one_step_td_error()
    {
        TrajectoryBatch b = RandomBatch(5);
        var rng = new Random(1);
        var values = new double[b.Episodes * b.Horizon];
        for (int e = 0; e < b.Episodes; e++)
        {
            for (int t = 0; t < b.Lengths[e]; t++)
            {
                values[e * b.Horizon + t] = rng.NextGaussian();
            }
        }

        Advantages.Gae(b, values, 0.9, 0.0);
        for (int e = 0; e < b.Episodes; e++)
        {
            int len = b.Lengths[e];
            for (int t = 0; t < len; t++)
            {
                int row = e * b.Horizon + t;
                double next = t + 1 < len ? values[row + 1] : 0.0;
                Assert.Equal(b.Rewards[row] + 0.9 * next - values[row], b.Advantages[row], 12);
            }
        }
    }

    [Fact]
    public void Normalised_advantages_have_zero_mean_and_unit_std_over_valid_steps()
    {
        TrajectoryBatch b = RandomBatch(6);
        Advantages.Compute(b, new AdvantageOptions(Gamma: 0.95, GaeLambda: 0.97), new LinearFeatureBaseline(3));
        double sum = 0, sq = 0;
        int n = b.ValidSteps;
        for (int e = 0; e < b.Episodes; e++)
        {
            for (int t = 0; t < b.Horizon; t++)
            {
                double a = b.Advantages[e * b.Horizon + t];
                if (t >= b.Lengths[e])
                {
                    Assert.Equal(0.0, a);
                    continue;
                }

                sum += a;
                sq += a * a;
            }
        }

        Assert.Equal(0.0, sum / n, 10);
        Assert.Equal(1.0, Math.Sqrt(sq / n), 6);
    }

    [Fact]
    public void Baseline_fit_fails_loudly_on_non_finite_data()
    {
        TrajectoryBatch b = RandomBatch(7);
        b.Observations[5] = double.PositiveInfinity;
        Advantages.DiscountedReturns(b, 0.99);
        Assert.Throws<NumericalFailureException>(() => new LinearFeatureBaseline(3).Fit(b, b.Returns));
    }

    [Fact]
    public void Invalid_advantage_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdvantageOptions(Gamma: double.NaN).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdvantageOptions(GaeLambda: 1.5).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdvantageOptions(BaselineRegularization: 0).Validate());
    }
}
