using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Environments.Navigation;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Tests.Sampling;

/// <summary>
/// <c>sampler.estimator: "monte-carlo-q-baseline"</c>: Q̂ − V in return units, the weights eq. (7) needs when the horizon
/// cuts the return. Claims: on an action-independent reward it hands eq. (7) no time profile while centred Q̂ does;
/// it is Q̂ minus the fitted baseline step by step and GAE(1) unnormalised up to rounding; the config refuses it with
/// standardisation or centring.
/// </summary>
public class MonteCarloQBaselineTests
{
    private const int Episodes = 8, Horizon = 200, Obs = 3;
    private const double Gamma = 0.99, RewardPerStep = -1.2;

    /// <summary>
    /// Full-length episodes whose states wander at random (as if moved by random actions) and whose reward is the
    /// constant <see cref="RewardPerStep"/>: nothing an action does changes a return, so any action preference in the
    /// weights is noise and any time profile is the truncation's.
    /// </summary>
    private static TrajectoryBatch ConstantRewardBatch()
    {
        var rng = new Random(7);
        var b = new TrajectoryBatch(Episodes, Horizon, Obs, 1);
        for (int e = 0; e < Episodes; e++)
        {
            b.Lengths[e] = Horizon;
            var state = new double[Obs];
            for (int t = 0; t < Horizon; t++)
            {
                int row = e * Horizon + t;
                for (int i = 0; i < Obs; i++)
                {
                    state[i] += 0.1 * rng.NextGaussian();
                    b.Observations[row * Obs + i] = state[i];
                }

                b.Actions[row] = rng.NextGaussian();
                b.Rewards[row] = RewardPerStep;
            }
        }

        return b;
    }

    private static AdvantageOptions Options(AdvantageEstimator estimator, bool center = false) =>
        new(Gamma, 1, Normalize: false, Estimator: estimator, CenterQ: center);

    [Fact]
    public void On_an_action_independent_reward_centred_monte_carlo_q_is_the_truncation_profile_and_q_minus_baseline_is_not()
    {
        // Centred Q̂: r̄(1 − γ^{H−t})/(1 − γ) minus its mean, the same in every episode: all its variance is time.
        TrajectoryBatch centred = ConstantRewardBatch();
        Advantages.Compute(centred, Options(AdvantageEstimator.MonteCarloQ, center: true), new LinearFeatureBaseline(Obs));
        WeightProfile mcq = WeightProfile.Of(centred);
        var profile = new double[Horizon];
        for (int t = 0; t < Horizon; t++)
        {
            profile[t] = RewardPerStep * (1 - PortableMath.Pow(Gamma, Horizon - t)) / (1 - Gamma);
        }

        double profileMean = profile.Average();
        double profileStd = Math.Sqrt(profile.Select(q => (q - profileMean) * (q - profileMean)).Average());
        Assert.True(mcq.TimeExplained > 1 - 1e-12, $"centred MC-Q time share {mcq.TimeExplained}");
        Assert.Equal(profileStd, mcq.StepMeanRms, profileStd * 1e-9);
        Assert.True(profileStd > 20, $"the profile's std {profileStd}"); // ≈ 24 at r̄ = −1.2, H = 200, γ = 0.99

        // Q̂ − V: the per-step mean is what the baseline cannot fit. The baseline minimises ‖y − Xw‖² + c‖w‖² over
        // features that contain (τ, τ², τ³, 1), so its residual is at most that of the best cubic in time w₀ (the same
        // fit on zeroed observations) plus c‖w₀‖²; averaging over episodes can only shrink it (Jensen). That residual is
        // the tolerance: the truncation profile is r̄(1 − γ^{H−t})/(1 − γ), an exponential a cubic fits to ~0.1 %.
        TrajectoryBatch withBaseline = ConstantRewardBatch();
        var baseline = new LinearFeatureBaseline(Obs);
        Advantages.Compute(withBaseline, Options(AdvantageEstimator.MonteCarloQBaseline), baseline);
        WeightProfile qb = WeightProfile.Of(withBaseline);
        double bound = CubicInTimeResidualRms(ConstantRewardBatch(), baseline.LastRegularization);
        Assert.True(qb.StepMeanRms <= bound * (1 + 1e-9), $"time profile {qb.StepMeanRms} exceeds the cubic fit's residual {bound}");
        Assert.True(bound < 0.01 * profileStd, $"a cubic leaves {bound} of the profile's {profileStd}");
        Assert.True(qb.Std < 0.01 * mcq.Std, $"weights' std {qb.Std} vs centred MC-Q {mcq.Std}");
    }

    /// <summary>
    /// √((‖y − Xw₀‖² + c‖w₀‖²)/N), y = Q̂ of <paramref name="source"/>'s rewards and lengths, w₀ the baseline fitted with
    /// the observations zeroed (time features only): the bound on the time profile Q̂ − V can keep.
    /// </summary>
    private static double CubicInTimeResidualRms(TrajectoryBatch source, double c)
    {
        var timeOnly = new TrajectoryBatch(source.Episodes, source.Horizon, source.ObservationSize, source.ActionSize);
        source.Lengths.CopyTo(timeOnly.Lengths, 0);
        source.Rewards.CopyTo(timeOnly.Rewards, 0);
        Advantages.DiscountedReturns(timeOnly, Gamma);
        var fit = new LinearFeatureBaseline(source.ObservationSize, regularization: c);
        fit.Fit(timeOnly, timeOnly.Returns);
        var values = new double[source.Episodes * source.Horizon];
        fit.Predict(timeOnly, values);
        double squares = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double r = timeOnly.Returns[i] - values[i];
            squares += r * r;
        }

        squares += fit.LastRegularization * fit.Weights.Sum(w => w * w);
        return Math.Sqrt(squares / timeOnly.ValidSteps);
    }

    [Fact]
    public void Sampled_where_the_reward_ignores_the_action_the_rows_eq7_reads_carry_no_time_profile()
    {
        // Navigation's states, moved by a Gaussian policy's actions, but every step pays RewardPerStep and no episode
        // ends early: the sampler, the estimator and the row view of eq. (7) end to end.
        var tasks = new ConstantRewardTasks(new Navigation2DTasks(horizon: Horizon));
        var policy = new LinearGaussianPolicy(2, 2);
        using var sampler = new LockstepSampler(tasks, policy, episodesPerTask: 6, threads: 1);
        TrajectoryBatch batch = sampler.Sample([0.3, -0.2], new double[policy.ParameterCount], seed: 3, stream: 0);
        Assert.All(batch.Lengths, l => Assert.Equal(Horizon, l));

        var baseline = new LinearFeatureBaseline(2);
        Advantages.Compute(batch, Options(AdvantageEstimator.MonteCarloQBaseline), baseline);
        double qb = StepMeanRms(PolicyBatch.FromTrajectories(batch, RowWeighting.PerStep));
        double bound = CubicInTimeResidualRms(batch, baseline.LastRegularization);

        Advantages.Compute(batch, Options(AdvantageEstimator.MonteCarloQ, center: true), baseline);
        double mcq = StepMeanRms(PolicyBatch.FromTrajectories(batch, RowWeighting.PerStep));

        Assert.True(qb <= bound * (1 + 1e-9), $"Q̂ − V: time profile {qb} exceeds the cubic fit's residual {bound}");
        Assert.True(mcq > 100 * bound, $"centred MC-Q: time profile {mcq}, a cubic's residual {bound}");
    }

    /// <summary>RMS over rows of the per-time-step mean of the rows' weights (full-length episodes: row r is step r mod H).</summary>
    private static double StepMeanRms(PolicyBatch rows)
    {
        var means = new double[Horizon];
        int episodes = rows.Rows / Horizon;
        for (int r = 0; r < rows.Rows; r++)
        {
            means[r % Horizon] += rows.Advantages[r] / episodes;
        }

        return Math.Sqrt(means.Sum(m => m * m) / Horizon);
    }

    /// <summary>A task family whose environments move like <paramref name="inner"/>'s but pay <see cref="RewardPerStep"/> and never terminate.</summary>
    private sealed class ConstantRewardTasks(ITaskDistribution inner) : ITaskDistribution
    {
        public string Name => "constant-reward";

        public int ObservationSize => inner.ObservationSize;

        public int ActionSize => inner.ActionSize;

        public int Horizon => inner.Horizon;

        public double[] SampleTask(Random rng) => inner.SampleTask(rng);

        public IEnvironment CreateEnvironment(ReadOnlySpan<double> task) => new ConstantReward(inner.CreateEnvironment(task));
    }

    private sealed class ConstantReward(IEnvironment inner) : IEnvironment
    {
        public int ObservationSize => inner.ObservationSize;

        public int ActionSize => inner.ActionSize;

        public void SetTask(ReadOnlySpan<double> task) => inner.SetTask(task);

        public void Reset(Random rng, Span<double> observation) => inner.Reset(rng, observation);

        public StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation)
        {
            inner.Step(action, observation);
            return new StepOutcome(RewardPerStep, false);
        }
    }

    [Fact]
    public void Monte_carlo_q_baseline_is_the_return_to_go_minus_the_baseline_fitted_to_it()
    {
        TrajectoryBatch b = RandomRewardBatch(3);
        Advantages.Compute(b, Options(AdvantageEstimator.MonteCarloQBaseline), new LinearFeatureBaseline(Obs));
        TrajectoryBatch reference = RandomRewardBatch(3);
        Advantages.DiscountedReturns(reference, Gamma);
        var fit = new LinearFeatureBaseline(Obs);
        fit.Fit(reference, reference.Returns);
        var values = new double[reference.Episodes * reference.Horizon];
        fit.Predict(reference, values);
        for (int i = 0; i < values.Length; i++)
        {
            bool valid = i % Horizon < reference.Lengths[i / Horizon];
            Assert.Equal(valid ? reference.Returns[i] - values[i] : 0.0, b.Advantages[i]); // bit for bit; padding 0
        }

        Assert.Equal(reference.Returns, b.Returns);
        Assert.Contains(values, v => Math.Abs(v) > 1e-3); // a non-trivial baseline
    }

    [Fact]
    public void Monte_carlo_q_baseline_equals_unnormalised_gae_one_up_to_rounding_only()
    {
        // Our GAE sets V = 0 after the last step (no bootstrap at the horizon), so GAE(1) telescopes to Q̂ − V exactly;
        // it gets there by a recursion, hence rounding differences of a few ulps of the returns, nothing more.
        TrajectoryBatch direct = RandomRewardBatch(5);
        Advantages.Compute(direct, Options(AdvantageEstimator.MonteCarloQBaseline), new LinearFeatureBaseline(Obs));
        TrajectoryBatch gae = RandomRewardBatch(5);
        Advantages.Compute(gae, Options(AdvantageEstimator.Gae), new LinearFeatureBaseline(Obs));
        double scale = direct.Returns.Max(Math.Abs);
        for (int i = 0; i < direct.Advantages.Length; i++)
        {
            Assert.Equal(gae.Advantages[i], direct.Advantages[i], 1e-12 * scale);
        }
    }

    /// <summary>Random states and rewards, lengths 200, 150, 37, … (some episodes end early).</summary>
    private static TrajectoryBatch RandomRewardBatch(int seed)
    {
        var rng = new Random(seed);
        var b = new TrajectoryBatch(4, Horizon, Obs, 1);
        int[] lengths = [Horizon, 150, 37, Horizon];
        for (int e = 0; e < 4; e++)
        {
            b.Lengths[e] = lengths[e];
            for (int t = 0; t < lengths[e]; t++)
            {
                int row = e * Horizon + t;
                for (int i = 0; i < Obs; i++)
                {
                    b.Observations[row * Obs + i] = rng.NextGaussian();
                }

                b.Rewards[row] = rng.NextGaussian() - 1;
            }
        }

        return b;
    }

    [Fact]
    public void Config_maps_monte_carlo_q_baseline_and_refuses_it_standardised_or_centred()
    {
        const string Head = """{"env": {"name": "navigation2d"}, "algorithm": {"name": "bomrl"}, "sampler": {"estimator": "monte-carlo-q-baseline" """;
        AdvantageOptions o = ConfigLoader.Parse(Head + """, "normalize_advantages": false}}""").Sampler.ToAdvantageOptions();
        Assert.Equal(AdvantageEstimator.MonteCarloQBaseline, o.Estimator);
        Assert.False(o.Normalize);
        Assert.Equal("monte-carlo-q-baseline", SamplerConfig.EstimatorName(o.Estimator));

        var standardised = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Head + "}}")); // normalize_advantages defaults to true
        Assert.Contains("sampler.normalize_advantages", standardised.Message, StringComparison.Ordinal);
        var centred = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(Head + """, "normalize_advantages": false, "center_q": true}}"""));
        Assert.Contains("sampler.center_q", centred.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new AdvantageOptions(Estimator: AdvantageEstimator.MonteCarloQBaseline).Validate());
        Assert.Throws<ArgumentException>(() => new AdvantageOptions(Normalize: false, Estimator: AdvantageEstimator.MonteCarloQBaseline, CenterQ: true).Validate());
    }
}
