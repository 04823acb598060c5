using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>BO-MRL's per-task statistics with full terms: Ĵ_τ of the post-adaptation batch (<see cref="BatchScoreTerm.ReturnPerStep"/>).</summary>
/// <param name="ReturnPerStep">Ĵ_τ, the other tasks' baseline of the score-function term.</param>
public sealed record BoMrlStatistics(double ReturnPerStep) : TaskStatistics;

/// <summary>BO-MRL's per-task extras with a meta-learned λ: dJ_τ/dλ from eq. (8)'s own solve.</summary>
/// <param name="LambdaDerivative">dJ_τ/dλ (<see cref="BoMrlHypergradient.LambdaDerivative"/>).</param>
public sealed record BoMrlExtras(double LambdaDerivative) : TaskExtras;

/// <summary>
/// One task of practical BO-MRL (Algorithm 2): the hypergradient of eq. (8) and TRPO's old quantities around φ_old on the
/// pre-adaptation states (π_φold's distributions, and the Fisher's subsampled rows and distributions).
/// </summary>
public sealed class BoMrlTask(BoMrlLearner learner, TaskContext context, BoMrlOptions options) : MetaTask(learner, context)
{
    private double[]? _oldDists;
    private double[]? _fisherDists;
    private PolicyBatch? _fisherRows;

    /// <summary>With full terms, Ĵ_τ of the post-adaptation batch, the other tasks' baseline.</summary>
    protected internal override TaskStatistics? Statistics() =>
        options.FullTerms ? new BoMrlStatistics(BatchScoreTerm.ReturnPerStep(Post.MeanEpisodeReturn(), PostRows.Rows, Post.Episodes)) : null;

    /// <summary>
    /// The hypergradient of eq. (8) from the post-adaptation batch (Algorithm 2, line 6); with a meta-learned λ also
    /// dJ/dλ from the same solve, and with full terms the score-function term eq. (8) drops.
    /// </summary>
    protected internal override TaskMetaGradient MetaGradient(TaskScratch scratch, MetaGradientStep step)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(step);
        var result = new double[ParameterCount];
        TaskAdaptation a = Adapted;
        if (!options.LearnLambda && !options.FullTerms)
        {
            return new TaskMetaGradient(result, scratch.Hypergradient.Compute(scratch.Objectives, a, PostRows, result), null);
        }

        var x = new double[result.Length]; // eq. (8)'s (H + δI)⁻¹g', which dJ/dλ and the behaviour term reuse
        CgSummary cg = BoMrlHypergradient.Compute(scratch.Hypergradient, scratch.Objectives, a, PostRows, result, x);
        BoMrlExtras? extras = null;
        if (options.LearnLambda)
        {
            extras = new BoMrlExtras(BoMrlHypergradient.LambdaDerivative(a.Steps[0].Objective, scratch.Objectives, a.ThetaPrime, x));
        }

        if (options.FullTerms)
        {
            BoMrlHypergradient.AddBehaviourTerm(a.Steps[0].Objective, scratch.Objectives, a.ThetaPrime, x, result);
            double[] returns = [.. step.Statistics.Select(s => ((BoMrlStatistics)s!).ReturnPerStep)];
            BatchScoreTerm.Add(scratch.Objectives, Phi, PreRows, returns, Context.Index, result);
        }

        return new TaskMetaGradient(result, cg, extras);
    }

    /// <summary>
    /// TRPO around φ_old on the pre-adaptation states: π_φold's distributions there (the KL distances' inner objectives
    /// already hold them); the Fisher's subsampled rows are prepared on the first product.
    /// </summary>
    protected internal override void PrepareOldQuantities(TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ReadOnlySpan<double> held = Adapted.Steps[0].Objective.PhiDistributions;
        _oldDists = held.IsEmpty ? Distributions(scratch, PreRows, Phi) : held.ToArray();
        _fisherRows = null;
        _fisherDists = null;
    }

    /// <summary>∇²_φ KL(π_φold ‖ π_φ)|φold·v over the pre-adaptation states (every k-th step as configured).</summary>
    protected internal override double[] CurvatureProduct(TaskScratch scratch, double[] v)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        if (_fisherRows is not { } rows || _fisherDists is not { } oldDists)
        {
            rows = _fisherRows = PreRows.Subsample(options.FisherSubsample);
            oldDists = _fisherDists = Distributions(scratch, rows, Phi);
        }

        var result = new double[ParameterCount];
        HessianVector.ForwardDifference((p, g) => scratch.Objectives.MeanKl(p, rows, oldDists, KlDirection.ReferenceFirst, g),
            Phi, [], v, result, scratch.Scratch);
        return result;
    }

    /// <summary>A trial's KL (the improvement is the learner's first-order model, <see cref="BoMrlLearner"/>).</summary>
    protected internal override TaskTrial Trial(TaskScratch scratch, double[] candidate) => new(TrialKl(scratch, candidate));

    /// <summary>KL(π_φold ‖ π_candidate) on all the pre-adaptation states.</summary>
    protected internal override double TrialKl(TaskScratch scratch, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        return scratch.Objectives.MeanKl(candidate, PreRows, OldDists, KlDirection.ReferenceFirst, []);
    }

    private double[] OldDists => _oldDists ?? throw new InvalidOperationException("BO-MRL's old distributions are not prepared");

    private static double[] Distributions(TaskScratch scratch, PolicyBatch rows, double[] phiOld)
    {
        var d = new double[scratch.Objectives.DistributionLength(rows)];
        scratch.Objectives.Distributions(phiOld, rows, d);
        return d;
    }
}
