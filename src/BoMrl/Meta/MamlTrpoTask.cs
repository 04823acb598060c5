using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>MAML-TRPO's part of a line-search trial: the surrogate change on the validation batch and the KL.</summary>
/// <param name="SurrogateChange">Σ w (π_θ'(φ)/π_θ'old)·Â at the trial φ minus its value at φ_old.</param>
/// <param name="Kl">KL(π_θ'(φ) ‖ π_θ'old) on the validation states.</param>
public record MamlTrial(double SurrogateChange, double Kl) : TaskTrial(Kl);

/// <summary>
/// One task of MAML-TRPO: (dθ'/dφ)ᵀg' through the inner steps, and TRPO through the adaptation on the validation batch,
/// with π_θ'old's distributions, log-probabilities and surrogate there as the meta-update's old quantities.
/// </summary>
public class MamlTrpoTask(MamlTrpoLearner learner, TaskContext context, MamlTrpoOptions options) : MetaTask(learner, context)
{
    private double[]? _oldDists, _oldLogp;
    private double _oldSurrogate;

    /// <summary>(dθ'/dφ)ᵀg' through the inner steps (eq. (8) with H = 2λI), or g' itself when first-order.</summary>
    protected internal override TaskMetaGradient MetaGradient(TaskScratch scratch, MetaGradientStep step)
    {
        var result = new double[ParameterCount];
        return new TaskMetaGradient(result, MamlGradient(scratch, result), null);
    }

    /// <summary>MAML's meta-gradient into <paramref name="result"/> (zeroed); the CG outcome.</summary>
    protected CgSummary MamlGradient(TaskScratch scratch, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        if (options.FirstOrder)
        {
            scratch.Objectives.PolicyGradientObjective(Theta, PostRows, result);
            return default;
        }

        return scratch.Hypergradient.Compute(scratch.Objectives, Adapted, PostRows, result);
    }

    /// <summary>π_θ'old's distributions and log-probabilities on the validation batch and the surrogate there.</summary>
    protected internal override void PrepareOldQuantities(TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        PolicyBatch post = PostRows;
        double[] theta = Theta;
        _oldDists = new double[scratch.Objectives.DistributionLength(post)];
        scratch.Objectives.Distributions(theta, post, _oldDists);
        _oldLogp = new double[post.Rows];
        scratch.Objectives.LogProbs(theta, post, _oldLogp);
        _oldSurrogate = scratch.Objectives.RatioSurrogate(theta, post, _oldLogp, clipped: false, []);
    }

    /// <summary>(dθ'/dφ)ᵀ · ∇²_θ KL(π_θ ‖ π_θ'old)|θ' · (dθ'/dφ) · v (the Fisher of the adapted policies).</summary>
    protected internal override double[] CurvatureProduct(TaskScratch scratch, double[] v)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        int n = ParameterCount;
        var result = new double[n];
        var jv = new double[n];
        if (options.FirstOrder)
        {
            v.CopyTo(jv, 0);
        }
        else
        {
            scratch.Hypergradient.JacobianProduct(Adapted, scratch.Objectives, v, jv);
        }

        var fjv = new double[n];
        PolicyBatch post = PostRows;
        double[] oldDists = Old(_oldDists);
        HessianVector.ForwardDifference((p, g) => scratch.Objectives.MeanKl(p, post, oldDists, KlDirection.PolicyFirst, g),
            Theta, [], jv, fjv, scratch.Scratch);
        if (options.FirstOrder)
        {
            fjv.CopyTo(result, 0);
        }
        else
        {
            scratch.Hypergradient.TransposeJacobianProduct(Adapted, scratch.Objectives, fjv, result);
        }

        return result;
    }

    /// <summary>Re-adapts at the trial φ: the surrogate change on the validation batch and KL(π_θ'(φ) ‖ π_θ'old).</summary>
    protected internal override TaskTrial Trial(TaskScratch scratch, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        double[] theta = Adapt(scratch, PreRows, candidate).ThetaPrime;
        double s = scratch.Objectives.RatioSurrogate(theta, PostRows, Old(_oldLogp), clipped: false, []) - _oldSurrogate;
        return new MamlTrial(s, AdaptedKl(scratch, theta));
    }

    /// <summary>Re-adapts at the trial φ: KL(π_θ'(φ) ‖ π_θ'old) on the validation states.</summary>
    protected internal override double TrialKl(TaskScratch scratch, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        return AdaptedKl(scratch, Adapt(scratch, PreRows, candidate).ThetaPrime);
    }

    private double AdaptedKl(TaskScratch scratch, double[] theta) =>
        scratch.Objectives.MeanKl(theta, PostRows, Old(_oldDists), KlDirection.PolicyFirst, []);

    private static double[] Old(double[]? prepared) =>
        prepared ?? throw new InvalidOperationException("MAML-TRPO's old quantities are not prepared");
}
