using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>What E-MAML's exploration term multiplies the log-likelihood of the pre-adaptation batch by.</summary>
public enum ExplorationCredit
{
    /// <summary>
    /// The ProMP code's E-MAML: r̄ᵢ = mean over task i's post-adaptation steps of (r − m)/(s + 1e-8), m and s the mean
    /// and (population) standard deviation of every post-adaptation step reward of the meta-batch, times the
    /// row-weighted mean of log π_φ(a|s) over B⁰ᵢ.
    /// </summary>
    NormalizedReward,

    /// <summary>
    /// The score-function term of ∇_φ E_{B⁰∼π_φ}[J(φ′(φ, B⁰))]: Ĵᵢ, the mean episode return of B¹ᵢ (an unbiased estimate of
    /// J(φ′ᵢ)), times the log-likelihood of the whole batch, Σ_{B⁰ᵢ} log π_φ(a|s). Unbiased, high-variance; for checks.
    /// </summary>
    Return,
}

/// <summary>Settings of E-MAML (Stadie et al. 2018, as the ProMP code base runs it: MAML-TRPO with exploration = True).</summary>
/// <param name="Maml">The MAML-TRPO settings it extends (inner step, row weighting, meta-update).</param>
/// <param name="ExplorationWeight">Factor on the exploration term (1: the term as the ProMP code adds it).</param>
/// <param name="Credit">r̄ᵢ as the ProMP code computes it (default) or the unnormalised return.</param>
public sealed record EMamlOptions(MamlTrpoOptions Maml, double ExplorationWeight = 1.0,
    ExplorationCredit Credit = ExplorationCredit.NormalizedReward)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Maml);
        Maml.Validate();
        if (!double.IsFinite(ExplorationWeight) || ExplorationWeight < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ExplorationWeight), ExplorationWeight,
                "exploration_weight must be finite and non-negative.");
        }

        if (!Enum.IsDefined(Credit))
        {
            throw new ArgumentOutOfRangeException(nameof(Credit), Credit, "Unknown exploration credit.");
        }
    }
}

/// <summary>
/// E-MAML (Stadie et al. 2018, "Some Considerations on Learning to Explore via Meta-Reinforcement Learning"), as the
/// ProMP code base (jonasrothfuss/ProMP, <c>meta_algos/trpo_maml.py</c> with <c>exploration=True</c>) computes it:
/// MAML-TRPO whose per-task outer objective gains cᵢ · Σ_{B⁰ᵢ} u log π_φ(a|s), cᵢ a constant credit
/// (<see cref="ExplorationCredit"/>) and u the row weights (or 1 for the unnormalised form). Its gradient credits
/// the distribution that sampled the pre-adaptation batch with how good the post-adaptation data turned out — the
/// term MAML drops when it treats B⁰ as fixed. The TRPO line search adds the term's change at the trial φ to the
/// surrogate improvement, so the search is consistent with the gradient; the trust region is MAML-TRPO's.
/// </summary>
public sealed class EMamlLearner : MamlTrpoLearner
{
    /// <summary>The ProMP code's guard against a zero reward spread.</summary>
    private const double StdEpsilon = 1e-8;

    private readonly EMamlOptions _options;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public EMamlLearner(MetaTrainingSetup setup, EMamlOptions options)
        : base(setup, Checked(options).Maml)
    {
        _options = options;
    }

    /// <inheritdoc/>
    public override string Algorithm => "emaml";

    private static EMamlOptions Checked(EMamlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>
    /// r̄ᵢ of the ProMP code's sample processor: m, s = mean and population standard deviation of every valid
    /// post-adaptation step reward of the meta-batch; r̄ᵢ = mean over task i's valid steps of (r − m)/(s + 1e-8).
    /// </summary>
    public static double[] NormalizedRewardCredits(IReadOnlyList<TrajectoryBatch> post)
    {
        ArgumentNullException.ThrowIfNull(post);
        return NormalizedRewardCredits([.. post.Select(RewardMoments.Of)]);
    }

    /// <summary>
    /// r̄ᵢ from every task's <see cref="RewardMoments"/>: m = Σ sums / Σ counts; s² = Σᵢ [M2ᵢ + nᵢ(meanᵢ − m)²] / Σ counts
    /// (the pooled population variance); r̄ᵢ = (meanᵢ − m)/(s + 1e-8).
    /// </summary>
    public static double[] NormalizedRewardCredits(RewardMoments[] moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        double sum = 0, count = 0, m2 = 0;
        foreach (RewardMoments t in moments)
        {
            sum += t.Sum;
            count += t.Count;
        }

        double m = sum / count;
        foreach (RewardMoments t in moments)
        {
            double d = t.Sum / t.Count - m;
            m2 += t.M2 + t.Count * d * d;
        }

        double s = Math.Sqrt(m2 / count);
        var credits = new double[moments.Length];
        for (int i = 0; i < moments.Length; i++)
        {
            // mean((r − m)/(s + ε)) over the task's steps = (mean r − m)/(s + ε)
            credits[i] = (moments[i].Sum / moments[i].Count - m) / (s + StdEpsilon);
        }

        return credits;
    }

    /// <inheritdoc/>
    public override MetaTask CreateTask(TaskContext context) => new EMamlTask(this, context, _options);

    /// <summary>The exploration coefficients κᵢ = weight·cᵢ of the last meta-iteration's tasks, in task order (a diagnostic).</summary>
    public double[] ExplorationCoefficients { get; private set; } = [];

    /// <summary>MAML-TRPO's meta-update (Algorithm 2, line 7), after reading every task's exploration coefficient.</summary>
    protected override MetaStep MetaUpdate(IterationData data)
    {
        ExplorationCoefficients = Executor.Run(new EMamlExplorationCoefficient());
        return base.MetaUpdate(data);
    }

    /// <summary>
    /// MAML-TRPO's surrogate change plus the exploration term's change, each averaged over tasks on its own (as the
    /// meta-objective averages them).
    /// </summary>
    protected override double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, TaskTrial[] trials) =>
        TaskMean(trials.Select(t => ((EMamlTrial)t).SurrogateChange)) + TaskMean(trials.Select(t => ((EMamlTrial)t).ExplorationChange));

    /// <summary>The credits cᵢ (before the weight) from every task's statistics, in task order.</summary>
    internal double[] Credits(TaskStatistics?[] statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return _options.Credit == ExplorationCredit.Return
            ? [.. statistics.Select(s => ((EpisodeReturn)s!).Return)]
            : NormalizedRewardCredits([.. statistics.Select(s => (RewardMoments)s!)]);
    }

    /// <summary>
    /// Task <paramref name="task"/>'s meta-gradient split into MAML-TRPO's part and the total E-MAML uses (for the
    /// derivative checks), every task's statistics from <paramref name="tasks"/>.
    /// </summary>
    internal (double[] Maml, double[] Total) TaskMetaGradient(MetaTask[] tasks, int task)
    {
        var step = new MetaGradientStep([.. tasks.Select(t => t.Statistics())]);
        (double[] Maml, double[] Total) parts = default;
        Loop.ForEach(1, (_, s) => parts = ((EMamlTask)tasks[task]).SplitMetaGradient(s, step));
        return parts;
    }

    /// <summary>The meta-objective the meta-update sees for <paramref name="tasks"/> held locally (for the line-search check).</summary>
    internal MetaObjective LineSearchObjective(MetaTask[] tasks, double[] phi)
    {
        var local = new LocalTaskExecutor(this);
        local.Hold(tasks);
        Executor = local;
        TaskMetaGradient[] parts = local.Run(new MetaGradientStep([.. tasks.Select(t => t.Statistics())]));
        return MetaObjective(new IterationData(0, phi, [.. tasks.Select(t => t.Context.Parameters)], TaskMean([.. parts.Select(p => p.Gradient)]), parts));
    }
}
