using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// One task's post-adaptation reward moments (E-MAML's statistics for the normalised credit), from which
/// <see cref="EMamlLearner.NormalizedRewardCredits(RewardMoments[])"/> pools the meta-batch's mean and spread.
/// </summary>
/// <param name="Sum">Σ r over the valid steps.</param>
/// <param name="Count">The number of valid steps.</param>
/// <param name="M2">Σ (r − mean)² over the valid steps.</param>
public sealed record RewardMoments(double Sum, long Count, double M2) : TaskStatistics
{
    /// <summary>The moments of <paramref name="batch"/>'s valid steps.</summary>
    public static RewardMoments Of(TrajectoryBatch batch)
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

        return new RewardMoments(sum, count, m2);
    }
}

/// <summary>E-MAML's statistics for <see cref="ExplorationCredit.Return"/>: the post-adaptation mean episode return.</summary>
/// <param name="Return">Ĵᵢ, the mean episode return of B¹ᵢ.</param>
public sealed record EpisodeReturn(double Return) : TaskStatistics;

/// <summary>E-MAML's part of a line-search trial: MAML-TRPO's surrogate change, the exploration term's change, the KL.</summary>
/// <param name="SurrogateChange">MAML-TRPO's surrogate change.</param>
/// <param name="ExplorationChange">The exploration term at the trial φ minus its value at φ_old.</param>
/// <param name="Kl">KL(π_θ'(φ) ‖ π_θ'old) on the validation states.</param>
public sealed record EMamlTrial(double SurrogateChange, double ExplorationChange, double Kl) : MamlTrial(SurrogateChange, Kl);

/// <summary>E-MAML's diagnostic step: the task's exploration coefficient κᵢ = weight·cᵢ of the iteration (after its meta-gradient).</summary>
public sealed record EMamlExplorationCoefficient : TaskStep<double>
{
    /// <inheritdoc/>
    public override double Apply(MetaTask task, TaskScratch scratch) => ((EMamlTask)task).ExplorationCoefficient;
}

/// <summary>
/// One task of E-MAML: MAML-TRPO's task plus the exploration term cᵢ · Σ_{B⁰ᵢ} u log π_φ(a|s), whose credit cᵢ it keeps
/// from the meta-gradient step (every task's statistics) and whose value at φ_old it keeps for the line search.
/// </summary>
public sealed class EMamlTask(EMamlLearner learner, TaskContext context, EMamlOptions options)
    : MamlTrpoTask(learner, context, options.Maml)
{
    private double? _credit;
    private double _oldExploration;

    /// <summary>κᵢ = weight·cᵢ, the factor of the exploration term's log-likelihood (after the meta-gradient step).</summary>
    internal double ExplorationCoefficient => options.ExplorationWeight * Credit;

    private double Credit => _credit ?? throw new InvalidOperationException("E-MAML's credit needs every task's statistics (the meta-gradient step)");

    /// <summary>Its reward moments (normalised credit) or its post-adaptation mean episode return.</summary>
    protected internal override TaskStatistics? Statistics() =>
        options.Credit == ExplorationCredit.Return ? new EpisodeReturn(Post.MeanEpisodeReturn()) : RewardMoments.Of(Post);

    /// <summary>MAML-TRPO's (dθ′/dφ)ᵀg′ plus the exploration term's gradient at φ_old; keeps the task's credit.</summary>
    protected internal override TaskMetaGradient MetaGradient(TaskScratch scratch, MetaGradientStep step)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(step);
        _credit = learner.Credits(step.Statistics)[Context.Index];
        var result = new double[ParameterCount];
        CgSummary cg = MamlGradient(scratch, result);
        ExplorationTerm(scratch.Objectives, Phi, result);
        return new TaskMetaGradient(result, cg, null);
    }

    /// <summary>MAML-TRPO's part and the total of the meta-gradient (for the derivative checks).</summary>
    internal (double[] Maml, double[] Total) SplitMetaGradient(TaskScratch scratch, MetaGradientStep step)
    {
        var maml = new double[ParameterCount];
        MamlGradient(scratch, maml);
        return (maml, MetaGradient(scratch, step).Gradient);
    }

    /// <summary>MAML-TRPO's old quantities, and the exploration term at φ_old.</summary>
    protected internal override void PrepareOldQuantities(TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        base.PrepareOldQuantities(scratch);
        _oldExploration = ExplorationTerm(scratch.Objectives, Phi, []);
    }

    /// <summary>MAML-TRPO's trial plus the exploration term's change at the trial φ.</summary>
    protected internal override TaskTrial Trial(TaskScratch scratch, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        var maml = (MamlTrial)base.Trial(scratch, candidate);
        double change = ExplorationTerm(scratch.Objectives, candidate, []) - _oldExploration;
        return new EMamlTrial(maml.SurrogateChange, change, maml.Kl);
    }

    /// <summary>
    /// The exploration term at <paramref name="phi"/>: weight·cᵢ·Σ_r u_r log π_φ(a_r|s_r) on B⁰ᵢ (u = the row weights, or
    /// 1 for <see cref="ExplorationCredit.Return"/>), and its φ-gradient added into <paramref name="gradient"/> (skipped when empty).
    /// </summary>
    private double ExplorationTerm(BatchObjectives objectives, ReadOnlySpan<double> phi, Span<double> gradient)
    {
        PolicyBatch pre = PreRows;
        double kappa = ExplorationCoefficient;
        var coef = new double[pre.Rows];
        if (options.Credit == ExplorationCredit.Return)
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
}
