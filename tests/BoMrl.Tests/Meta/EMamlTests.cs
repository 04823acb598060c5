using BoMrl.Adaptation;
using BoMrl.Environments;
using BoMrl.Meta;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Tests.Meta;

/// <summary>
/// E-MAML's meta-gradient on a one-step Gaussian bandit where the expected one-step-adapted return
/// E_{B⁰∼π_φ}[J(φ′(φ, B⁰))] is computed by quadrature: MAML's part alone misses the sampling distribution's
/// dependence on φ; MAML's part plus the exploration term (unnormalised credit) is an unbiased estimate of its gradient.
/// Also: r̄ᵢ as the ProMP code computes it, the learner's default credit, and a line search consistent with the gradient.
/// </summary>
public class EMamlTests
{
    private const double ObservationValue = 1.0; // the bandit's one state s
    private const double Target = 1.0;            // r(a) = r₀ − (a − c)²
    private const double Offset = 2.0;            // r₀: J ≈ 0 near φ keeps the score-function term's variance low
    private const double Alpha = 0.1;             // MAML's inner step size
    private const int PreSamples = 2;              // K = |B⁰|

    /// <summary>
    /// B¹ as an exact-expectation batch: six equally weighted one-step episodes at μ′ + σ′·{0, 0, 0, 0, √3, −√3}, whose
    /// moments match N(μ′, σ′²) up to the fourth, so for the quadratic reward the batch's mean return is J(θ′) and its
    /// policy gradient Σ w r ∇log π_θ′ is ∇J(θ′) exactly. The only randomness left is B⁰'s, the part under test.
    /// </summary>
    private static readonly double[] PostNodes = [0, 0, 0, 0, Math.Sqrt(3), -Math.Sqrt(3)];

    /// <summary>One state, one-dimensional action, one step per episode; never sampled here (the batches are hand-made).</summary>
    private sealed class Bandit : ITaskDistribution
    {
        public string Name => "bandit";
        public int ObservationSize => 1;
        public int ActionSize => 1;
        public int Horizon => 1;
        public double[] SampleTask(Random rng) => [Target];
        public IEnvironment CreateEnvironment(ReadOnlySpan<double> task) => throw new NotSupportedException();
    }

    private static double Reward(double a) => Offset - (a - Target) * (a - Target);

    /// <summary>φ = [W, b, log σ] of a linear Gaussian policy: μ = W·s + b.</summary>
    private static GaussianMlpPolicy Policy() => new(1, 1, [], LogStdMode.Parameter);

    private static EMamlLearner Learner(ExplorationCredit credit, int tasks = 1, RowWeighting weighting = RowWeighting.PerStep)
    {
        var setup = new MetaTrainingSetup(new Bandit(), Policy(), tasks, PreSamples, new AdvantageOptions(), Threads: 1, Seed: 1);
        var maml = new MamlTrpoOptions(Alpha, 1, false, new MetaUpdateOptions(MetaUpdateMethod.Trpo, new TrpoOptions()), weighting);
        return new EMamlLearner(setup, new EMamlOptions(maml, 1.0, credit));
    }

    /// <summary>A horizon-1 batch of the given actions (rewards r(a), advantages r(a): no baseline, so Σ w Â ∇log π is unbiased).</summary>
    private static (TrajectoryBatch Batch, PolicyBatch Rows) Batch(double[] actions, RowWeighting weighting)
    {
        var batch = new TrajectoryBatch(actions.Length, 1, 1, 1);
        for (int e = 0; e < actions.Length; e++)
        {
            batch.Observations[e] = ObservationValue;
            batch.Actions[e] = actions[e];
            batch.Rewards[e] = batch.Returns[e] = batch.Advantages[e] = Reward(actions[e]);
            batch.Lengths[e] = 1;
        }

        return (batch, PolicyBatch.FromTrajectories(batch, weighting));
    }

    private static double[] Draw(Random rng, double mu, double sigma, int count)
    {
        var a = new double[count];
        for (int i = 0; i < count; i++)
        {
            a[i] = mu + sigma * rng.NextGaussian();
        }

        return a;
    }

    /// <summary>One meta-iteration's tasks for task-wise batches drawn at φ (adaptation as MAML-TRPO runs it).</summary>
    private static MetaTask[] Data(EMamlLearner learner, double[] phi, double[][] preActions, RowWeighting weighting)
    {
        int tasks = preActions.Length, n = phi.Length;
        var ev = new BatchObjectives(Policy());
        var adaptation = new SampledAdaptation(AdaptationOptions.PolicyGradientStep(Alpha), n);
        var pre = new TrajectoryBatch[tasks];
        var preRows = new PolicyBatch[tasks];
        var post = new TrajectoryBatch[tasks];
        var postRows = new PolicyBatch[tasks];
        var adapted = new TaskAdaptation[tasks];
        var thetas = new double[tasks][];
        for (int i = 0; i < tasks; i++)
        {
            (pre[i], preRows[i]) = Batch(preActions[i], weighting);
            adapted[i] = TaskAdaptation.Run(adaptation, ev, preRows[i], phi, 1);
            thetas[i] = adapted[i].ThetaPrime;
            double[] t = thetas[i];
            double muPrime = t[0] * ObservationValue + t[1], sigmaPrime = Math.Exp(t[2]);
            (post[i], postRows[i]) = Batch(PostNodes.Select(x => muPrime + sigmaPrime * x).ToArray(), weighting);
        }

        var held = new MetaTask[tasks];
        for (int i = 0; i < tasks; i++)
        {
            held[i] = learner.CreateTask(new TaskContext(i, 0, phi, [Target]));
            held[i].SetPreAdaptation(pre[i], preRows[i]);
            held[i].SetAdaptation(adapted[i]);
            held[i].SetPostAdaptation(post[i], postRows[i]);
        }

        return held;
    }

    /// <summary>
    /// E_{a₁..a_K ∼ N(μ, σ²)}[J(φ′)] with φ′ = φ + α/K Σ r(a_k)∇log π_φ(a_k) and J(φ′) = r₀ − (μ′ − c)² − σ′², by the
    /// trapezoidal rule on a 401² grid over ±10 standard deviations (spectrally accurate for this smooth, Gaussian-decaying integrand).
    /// </summary>
    private static double ExpectedAdaptedReturn(double[] phi)
    {
        double w = phi[0], b = phi[1], logStd = phi[2], mu = w * ObservationValue + b, sigma = Math.Exp(logStd);
        const int points = 401;
        const double h = 20.0 / (points - 1);
        var x = new double[points];
        var weight = new double[points];
        var gMu = new double[points];
        var gLogStd = new double[points];
        for (int i = 0; i < points; i++)
        {
            x[i] = -10 + i * h;
            weight[i] = h * Math.Exp(-0.5 * x[i] * x[i]) / Math.Sqrt(2 * Math.PI);
            double a = mu + sigma * x[i], r = Reward(a);
            gMu[i] = r * x[i] / sigma / PreSamples;              // r·(a − μ)/σ² / K
            gLogStd[i] = r * (x[i] * x[i] - 1) / PreSamples;      // r·((a − μ)²/σ² − 1) / K
        }

        double total = 0;
        for (int i = 0; i < points; i++)
        {
            for (int j = 0; j < points; j++)
            {
                double dMu = Alpha * (gMu[i] + gMu[j]);
                double wPrime = w + dMu * ObservationValue, bPrime = b + dMu;
                double muPrime = wPrime * ObservationValue + bPrime;
                double logStdPrime = logStd + Alpha * (gLogStd[i] + gLogStd[j]);
                total += weight[i] * weight[j] * (Offset - (muPrime - Target) * (muPrime - Target) - Math.Exp(2 * logStdPrime));
            }
        }

        return total;
    }

    [Fact]
    public void EMAML_meta_gradient_is_unbiased_for_the_expected_adapted_return_and_MAMLs_part_is_not()
    {
        double[] phi = [0.2, -0.4, Math.Log(0.6)];
        double[] exact = FiniteDifferences.Gradient(ExpectedAdaptedReturn, phi, 1e-3);
        using EMamlLearner learner = Learner(ExplorationCredit.Return);
        Random rng = TestSeed.Rng(71);
        const int batches = 40_000;
        int n = phi.Length;
        var sumMaml = new double[n];
        var sumSqMaml = new double[n];
        var sumTotal = new double[n];
        var sumSqTotal = new double[n];
        double mu = phi[0] * ObservationValue + phi[1], sigma = Math.Exp(phi[2]);
        for (int m = 0; m < batches; m++)
        {
            MetaTask[] data = Data(learner, phi, [Draw(rng, mu, sigma, PreSamples)], RowWeighting.PerStep);
            (double[] maml, double[] total) = learner.TaskMetaGradient(data, 0);
            for (int j = 0; j < n; j++)
            {
                sumMaml[j] += maml[j];
                sumSqMaml[j] += maml[j] * maml[j];
                sumTotal[j] += total[j];
                sumSqTotal[j] += total[j] * total[j];
            }
        }

        double worstTotal = 0, largestBias = 0;
        for (int j = 0; j < n; j++)
        {
            double meanMaml = sumMaml[j] / batches, meanTotal = sumTotal[j] / batches;
            double seMaml = Math.Sqrt((sumSqMaml[j] / batches - meanMaml * meanMaml) / (batches - 1));
            double seTotal = Math.Sqrt((sumSqTotal[j] / batches - meanTotal * meanTotal) / (batches - 1));
            double zMaml = (meanMaml - exact[j]) / seMaml, zTotal = (meanTotal - exact[j]) / seTotal;
            Console.WriteLine($"∂/∂φ{j}: exact {exact[j]:F5}; MAML part {meanMaml:F5} ± {seMaml:F5} (z {zMaml:F1}); " +
                $"MAML + exploration {meanTotal:F5} ± {seTotal:F5} (z {zTotal:F2})");
            worstTotal = Math.Max(worstTotal, Math.Abs(zTotal));
            largestBias = Math.Max(largestBias, Math.Abs(zMaml));
        }

        // Three components within 4 standard errors: a correct estimator fails this with probability < 2e-4.
        Assert.True(worstTotal <= 4.0, $"MAML + exploration term is {worstTotal:F1} standard errors off the exact gradient{TestSeed.Note}");
        Assert.True(largestBias >= 10.0, $"MAML's part alone should be visibly biased (largest |z| {largestBias:F1}){TestSeed.Note}");
    }

    [Fact]
    public void Normalized_reward_credit_is_the_ProMP_codes_mean_of_standardised_post_adaptation_step_rewards()
    {
        // Task 0: episodes of lengths 3 and 1 (padding holds garbage that must be ignored); task 1: one episode of length 2.
        var t0 = new TrajectoryBatch(2, 3, 1, 1);
        double[] r0 = [1, 2, 3, 4, 99, 99];
        r0.CopyTo(t0.Rewards, 0);
        t0.Lengths[0] = 3;
        t0.Lengths[1] = 1;
        var t1 = new TrajectoryBatch(1, 3, 1, 1);
        double[] r1 = [5, 6, -99];
        r1.CopyTo(t1.Rewards, 0);
        t1.Lengths[0] = 2;

        double[] credits = EMamlLearner.NormalizedRewardCredits([t0, t1]);

        // All steps 1..6: m = 3.5, population s = √(17.5/6); task means 2.5 and 5.5.
        double s = Math.Sqrt(17.5 / 6);
        Assert.Equal(2, credits.Length);
        Assert.Equal(-1.0 / (s + 1e-8), credits[0], 14);
        Assert.Equal(2.0 / (s + 1e-8), credits[1], 14);
    }

    [Theory]
    [InlineData(RowWeighting.PerStep)]
    [InlineData(RowWeighting.PerEpisode)]
    public void By_default_the_exploration_term_is_rbar_times_the_weighted_mean_log_likelihood_of_the_pre_adaptation_batch(RowWeighting weighting)
    {
        var setup = new MetaTrainingSetup(new Bandit(), Policy(), 3, PreSamples, new AdvantageOptions(), Threads: 1, Seed: 1);
        var maml = new MamlTrpoOptions(Alpha, 1, false, new MetaUpdateOptions(MetaUpdateMethod.Trpo, new TrpoOptions()), weighting);
        using var learner = new EMamlLearner(setup, new EMamlOptions(maml));
        Random rng = TestSeed.Rng(72);
        double[] phi = [0.1, 0.3, -0.2];
        MetaTask[] data = Data(learner, phi, [Draw(rng, 0.4, 0.8, 3), Draw(rng, 0.4, 0.8, 5), Draw(rng, 0.4, 0.8, 2)], weighting);
        double[] rbar = EMamlLearner.NormalizedRewardCredits([.. data.Select(t => t.Post)]);
        var ev = new BatchObjectives(Policy());
        for (int i = 0; i < 3; i++)
        {
            (double[] mamlPart, double[] total) = learner.TaskMetaGradient(data, i);
            var expected = new double[phi.Length];
            ev.WeightedLogProb(phi, data[i].PreRows, data[i].PreRows.Weights.Select(w => rbar[i] * w).ToArray(), expected);
            for (int j = 0; j < phi.Length; j++)
            {
                Assert.Equal(mamlPart[j] + expected[j], total[j], 12);
            }

            Assert.NotEqual(0.0, rbar[i]);
        }
    }

    [Fact]
    public void Each_tasks_exploration_coefficient_is_the_weight_times_its_normalised_credit()
    {
        using EMamlLearner learner = Learner(ExplorationCredit.NormalizedReward, tasks: 3);
        Random rng = TestSeed.Rng(74);
        double[] phi = [0.1, 0.3, -0.2];
        MetaTask[] data = Data(learner, phi, [Draw(rng, 0.4, 0.8, 3), Draw(rng, 0.4, 0.8, 5), Draw(rng, 0.4, 0.8, 2)], RowWeighting.PerStep);
        learner.LineSearchObjective(data, phi);
        double[] rbar = EMamlLearner.NormalizedRewardCredits([.. data.Select(t => t.Post)]);

        Assert.Equal(rbar, learner.Executor.Run(new EMamlExplorationCoefficient()));
    }

    [Theory]
    [InlineData(ExplorationCredit.NormalizedReward)]
    [InlineData(ExplorationCredit.Return)]
    public void Line_search_objective_has_the_meta_gradient_as_its_derivative(ExplorationCredit credit)
    {
        using EMamlLearner learner = Learner(credit, tasks: 3);
        Random rng = TestSeed.Rng(73);
        double[] phi = [0.1, 0.3, -0.2];
        MetaTask[] data = Data(learner, phi, [Draw(rng, 0.4, 0.8, 4), Draw(rng, 0.4, 0.8, 4), Draw(rng, 0.4, 0.8, 4)], RowWeighting.PerStep);
        var gradient = new double[phi.Length];
        for (int i = 0; i < 3; i++)
        {
            double[] total = learner.TaskMetaGradient(data, i).Total;
            for (int j = 0; j < phi.Length; j++)
            {
                gradient[j] += total[j] / 3;
            }
        }

        MetaObjective objective = learner.LineSearchObjective(data, phi);
        Assert.Equal(0.0, objective.LineSearch(phi).Improvement, 14);
        for (int j = 0; j < phi.Length; j++)
        {
            double[] e = new double[phi.Length];
            e[j] = 1;
            // Small step: the importance ratios at the adapted policies make the objective vary fast (h = 1e-3 is 1 % off).
            double fd = FiniteDifferences.Directional(p => objective.LineSearch(p).Improvement, phi, e, 1e-5);

            Assert.True(Math.Abs(fd - gradient[j]) <= 1e-6 * (1 + Math.Abs(gradient[j])),
                $"{credit}, ∂/∂φ{j}: line search {fd:E6} vs meta-gradient {gradient[j]:E6}{TestSeed.Note}");
        }
    }
}
