using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Studies;

/// <summary>One estimator's line of an <see cref="EstimatorDiagnosis"/>.</summary>
/// <param name="Estimator">What filled the weights, in config words (e.g. <c>monte-carlo-q, center_q</c>).</param>
/// <param name="Options">The advantage settings that produced them.</param>
/// <param name="Std">Mean over all batches of the weights' standard deviation (<see cref="WeightProfile.Std"/>).</param>
/// <param name="TimeExplained">Mean over all batches of the variance share explained by the per-time-step mean.</param>
/// <param name="GradientCosine">Mean over tasks of the cosine between the two batches' policy gradients.</param>
/// <param name="GradientCosineStdError">Standard error of that mean over tasks (0 with one task).</param>
public sealed record EstimatorDiagnosisRow(string Estimator, AdvantageOptions Options, double Std, double TimeExplained,
    double GradientCosine, double GradientCosineStdError);

/// <summary>
/// <c>bomrl diagnose estimator</c>: how much of each estimator's weights for eq. (7) is the truncation profile, and how
/// well its policy gradients agree between independent batches. For the config's task family and policy, at the initial
/// policy φ₀ (stream (seed, −1), as training's), the tasks of meta-iteration 0 (stream (seed, 0, 0)) each get two
/// independent batches (sampler streams 0 and 1, episodes_per_task episodes each). Every estimator weighs the same
/// batches: plain Monte-Carlo Q̂, centred Q̂, Q̂ minus the linear baseline, and GAE(γ, config gae_lambda), none
/// standardised (standardisation rescales each batch, which changes neither the time share nor, much, the cosine).
/// The policy gradient is ĝ = Σ_r (1/|B|) Â_r ∇ log π_φ(a_r|s_r), the gradient of eq. (7)'s surrogate at θ = φ.
/// </summary>
public static class EstimatorDiagnosis
{
    /// <summary>The estimators compared, in printing order, for a config's γ, gae_lambda and baseline_reg.</summary>
    public static IReadOnlyList<(string Name, AdvantageOptions Options)> Estimators(SamplerConfig sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        double g = sampler.Gamma, reg = sampler.BaselineReg;
        return
        [
            ("monte-carlo-q", new AdvantageOptions(g, 1, false, reg, AdvantageEstimator.MonteCarloQ)),
            ("monte-carlo-q, center_q", new AdvantageOptions(g, 1, false, reg, AdvantageEstimator.MonteCarloQ, CenterQ: true)),
            ("monte-carlo-q-baseline", new AdvantageOptions(g, 1, false, reg, AdvantageEstimator.MonteCarloQBaseline)),
            (FormattableString.Invariant($"gae, gae_lambda {sampler.GaeLambda:R}"), new AdvantageOptions(g, sampler.GaeLambda, false, reg)),
        ];
    }

    /// <summary>
    /// Samples the two batches of each of <paramref name="tasks"/> tasks and measures every estimator on them (see the
    /// class summary). <paramref name="episodes"/> overrides the config's episodes_per_task. Deterministic in
    /// (config, seed); throws <see cref="ConfigException"/> for a bad config.
    /// </summary>
    public static IReadOnlyList<EstimatorDiagnosisRow> Run(TrainConfig config, long seed, int tasks, int? episodes = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tasks);
        TrainConfig c = config.Resolve();
        MetaTrainingSetup setup = MetaLearners.CreateSetup(c, seed);
        IDifferentiablePolicy policy = setup.Policy;
        double[] phi = policy.InitialParameters(Seeds.Rng(seed, -1));
        double[][] taskParams = PerTaskMetaLearner.SampleTasks(setup.Tasks, seed, 0, tasks);
        TrajectoryBatch[] first, second;
        using (var sampler = new LockstepSampler(setup.Tasks, policy, episodes ?? c.Sampler.EpisodesPerTask, c.Sampler.Threads))
        {
            first = sampler.Sample(taskParams, [phi], seed, 0);
            cancellation.ThrowIfCancellationRequested();
            second = sampler.Sample(taskParams, [phi], seed, 1);
        }

        var objectives = new BatchObjectives(policy);
        var baseline = new LinearFeatureBaseline(setup.Tasks.ObservationSize, c.Sampler.BaselineReg);
        var rows = new List<EstimatorDiagnosisRow>();
        foreach ((string name, AdvantageOptions options) in Estimators(c.Sampler))
        {
            cancellation.ThrowIfCancellationRequested();
            double std = 0, time = 0;
            var cosines = new double[tasks];
            for (int i = 0; i < tasks; i++)
            {
                double[] g1 = Gradient(first[i], options, baseline, objectives, phi, ref std, ref time);
                double[] g2 = Gradient(second[i], options, baseline, objectives, phi, ref std, ref time);
                cosines[i] = Cosine(g1, g2);
            }

            double mean = FixedOrder.Sum(cosines) / tasks;
            double se = Statistics.StandardError(cosines);
            rows.Add(new EstimatorDiagnosisRow(name, options, std / (2 * tasks), time / (2 * tasks), mean, se));
        }

        return rows;
    }

    /// <summary>The rows as a Markdown table (what <c>bomrl diagnose estimator</c> prints after its header line).</summary>
    public static IEnumerable<string> Table(IReadOnlyList<EstimatorDiagnosisRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        yield return "| estimator | std | time_explained | gradient_cosine |";
        yield return "|---|---|---|---|";
        foreach (EstimatorDiagnosisRow r in rows)
        {
            yield return FormattableString.Invariant($"| {r.Estimator} | {r.Std:G4} | {r.TimeExplained:F4} | {r.GradientCosine:F3} ± {r.GradientCosineStdError:F3} |");
        }
    }

    /// <summary>Fills the weights of <paramref name="batch"/> with one estimator, adds its profile to the sums, returns ĝ.</summary>
    private static double[] Gradient(TrajectoryBatch batch, AdvantageOptions options, LinearFeatureBaseline baseline,
        BatchObjectives objectives, double[] phi, ref double std, ref double time)
    {
        Advantages.Compute(batch, options, baseline);
        WeightProfile profile = WeightProfile.Of(batch);
        std += profile.Std;
        time += profile.TimeExplained;
        var gradient = new double[phi.Length];
        objectives.PolicyGradientObjective(phi, PolicyBatch.FromTrajectories(batch, RowWeighting.PerStep), gradient);
        return gradient;
    }

    /// <summary>cos(a, b) = a·b / (‖a‖‖b‖); 0 when either is zero.</summary>
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double norms = FixedOrder.Norm(a) * FixedOrder.Norm(b);
        return norms > 0 ? FixedOrder.Dot(a, b) / norms : 0;
    }
}
