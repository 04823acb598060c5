using BoMrl.Numerics;
using BoMrl.Objectives;
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

    /// <summary>Per-task slot of the meta-update: the exploration term at φ_old.</summary>
    private readonly double[] _oldExploration;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public EMamlLearner(MetaTrainingSetup setup, EMamlOptions options)
        : base(setup, Checked(options).Maml)
    {
        _options = options;
        _oldExploration = new double[setup.MetaBatchSize];
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
        return NormalizedRewardCredits(post.Select(RewardMoments).ToArray());
    }

    /// <summary>
    /// One task's post-adaptation reward moments [Σ r, number of valid steps, Σ (r − mean)²] (its statistics, from which
    /// <see cref="NormalizedRewardCredits(double[][])"/> combines the meta-batch's mean and spread without the batches).
    /// </summary>
    public static double[] RewardMoments(TrajectoryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        double sum = 0, m2 = 0;
        long count = 0;
        for (int e = 0; e < batch.Episodes; e++)
        {
            ReadOnlySpan<double> r = batch.Rewards.AsSpan(e * batch.Horizon, batch.Lengths[e]);
            sum += FixedOrder.Sum(r);
            count += r.Length;
        }

        double mean = sum / count;
        for (int e = 0; e < batch.Episodes; e++)
        {
            foreach (double r in batch.Rewards.AsSpan(e * batch.Horizon, batch.Lengths[e]))
            {
                m2 += (r - mean) * (r - mean);
            }
        }

        return [sum, count, m2];
    }

    /// <summary>
    /// r̄ᵢ from every task's <see cref="RewardMoments"/>: m = Σ sums / Σ counts; s² = Σᵢ [M2ᵢ + nᵢ(meanᵢ − m)²] / Σ counts
    /// (the pooled population variance); r̄ᵢ = (meanᵢ − m)/(s + 1e-8).
    /// </summary>
    public static double[] NormalizedRewardCredits(double[][] moments)
    {
        ArgumentNullException.ThrowIfNull(moments);
        double sum = 0, count = 0, m2 = 0;
        foreach (double[] t in moments)
        {
            sum += t[0];
            count += t[1];
        }

        double m = sum / count;
        foreach (double[] t in moments)
        {
            double d = t[0] / t[1] - m;
            m2 += t[2] + t[1] * d * d;
        }

        double s = Math.Sqrt(m2 / count);
        var credits = new double[moments.Length];
        for (int i = 0; i < moments.Length; i++)
        {
            // mean((r − m)/(s + ε)) over the task's steps = (mean r − m)/(s + ε)
            credits[i] = (moments[i][0] / moments[i][1] - m) / (s + StdEpsilon);
        }

        return credits;
    }

    /// <summary>Task i's statistics: its reward moments (normalised credit) or its post-adaptation mean episode return.</summary>
    protected override double[] TaskStatistics(IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _options.Credit == ExplorationCredit.Return ? [data.Post[task].MeanEpisodeReturn()] : RewardMoments(data.Post[task]);
    }

    /// <summary>The per-task credits cᵢ (before the weight) from every task's statistics.</summary>
    private double[] Credits(IterationData data)
    {
        if (data.Statistics.Any(s => s is null))
        {
            throw new InvalidOperationException("E-MAML's credits need every task's statistics (IterationData.Statistics).");
        }

        return _options.Credit == ExplorationCredit.Return ? data.Statistics.Select(s => s[0]).ToArray() : NormalizedRewardCredits(data.Statistics);
    }

    /// <summary>
    /// Task i's exploration term at <paramref name="phi"/>: weight·cᵢ·Σ_r u_r log π_φ(a_r|s_r) on B⁰ᵢ (u = the row
    /// weights, or 1 for <see cref="ExplorationCredit.Return"/>), and its φ-gradient added into <paramref name="gradient"/>
    /// (skipped when empty).
    /// </summary>
    private double ExplorationTerm(BatchObjectives objectives, IterationData data, int task, ReadOnlySpan<double> phi, Span<double> gradient)
    {
        PolicyBatch pre = data.PreRows[task];
        double kappa = _options.ExplorationWeight * Credits(data)[task];
        var coef = new double[pre.Rows];
        if (_options.Credit == ExplorationCredit.Return)
        {
            coef.AsSpan().Fill(kappa);
        }
        else
        {
            FixedOrder.Multiply(pre.Weights, kappa, coef);
        }

        if (gradient.IsEmpty)
        {
            return objectives.WeightedLogProb(phi, pre, coef, []);
        }

        var g = new double[gradient.Length];
        double value = objectives.WeightedLogProb(phi, pre, coef, g);
        FixedOrder.Add(gradient, g, gradient);
        return value;
    }

    /// <summary>MAML-TRPO's (dθ′/dφ)ᵀg′ plus the exploration term's gradient at φ_old.</summary>
    protected override CgSummary MetaGradient(TaskWorker worker, IterationData data, int task, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        CgSummary cg = base.MetaGradient(worker, data, task, result);
        ExplorationTerm(worker.Objectives, data, task, data.Phi, result);
        return cg;
    }

    /// <summary>MAML-TRPO's old quantities of task i, and its exploration term at φ_old.</summary>
    protected override void PrepareTask(TaskWorker worker, IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(worker);
        base.PrepareTask(worker, data, task);
        _oldExploration[task] = ExplorationTerm(worker.Objectives, data, task, data.Phi, []);
    }

    /// <summary>
    /// MAML-TRPO's trial terms plus the exploration term's change at the trial φ (a second term: averaged over tasks
    /// on its own and added to the surrogate's mean, as the meta-objective averages them).
    /// </summary>
    protected override TaskTrial EvaluateTrial(TaskWorker worker, IterationData data, int task, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(worker);
        TaskTrial maml = base.EvaluateTrial(worker, data, task, candidate);
        double change = ExplorationTerm(worker.Objectives, data, task, candidate, []) - _oldExploration[task];
        return maml with { Terms = [.. maml.Terms, change] };
    }

    /// <summary>
    /// Task <paramref name="task"/>'s meta-gradient split into MAML-TRPO's part and the total E-MAML uses (for the
    /// derivative checks).
    /// </summary>
    internal (double[] Maml, double[] Total) TaskMetaGradient(IterationData data, int task)
    {
        var maml = new double[ParameterCount];
        var total = new double[ParameterCount];
        FillStatistics(data);
        Workers.ForEach(1, (_, w) =>
        {
            base.MetaGradient(w, data, task, maml);
            MetaGradient(w, data, task, total);
        });
        return (maml, total);
    }

    /// <summary>The meta-objective the meta-update sees for <paramref name="data"/> (for the line-search check).</summary>
    internal MetaObjective LineSearchObjective(IterationData data)
    {
        FillStatistics(data);
        return MetaObjective(data);
    }

    private void FillStatistics(IterationData data)
    {
        for (int i = 0; i < data.Tasks.Length; i++)
        {
            data.Statistics[i] = TaskStatisticsCell(data, i);
        }
    }
}
