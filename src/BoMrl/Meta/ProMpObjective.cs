using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// One task's data for ProMP's outer objective, fixed while φ moves during the outer steps: the pre-adaptation rows B⁰
/// with log π_φo and π_φo's distributions on them, and the post-adaptation rows B¹ with log π_θ'(φo) on them.
/// </summary>
/// <param name="Pre">B⁰, collected by π_φo, advantages filled.</param>
/// <param name="Post">B¹, collected by π_θ'(φo), advantages filled.</param>
/// <param name="PreLogProbs">log π_φo(a|s) on B⁰ (the fixed denominator of the inner likelihood-ratio surrogate).</param>
/// <param name="PreDistributions">π_φo's distribution parameters on B⁰ (the reference of the inner KL penalty).</param>
/// <param name="PostLogProbs">log π_θ'(φo)(a|s) on B¹ (the fixed denominator of the outer ratio ρ).</param>
public sealed record ProMpTaskData(PolicyBatch Pre, PolicyBatch Post, double[] PreLogProbs, double[] PreDistributions, double[] PostLogProbs)
{
    /// <summary>Records π_φo on B⁰ and π_θ'(φo) on B¹.</summary>
    public static ProMpTaskData Create(BatchObjectives objectives, PolicyBatch pre, PolicyBatch post, ReadOnlySpan<double> phiOld,
        ReadOnlySpan<double> thetaOld)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(pre);
        ArgumentNullException.ThrowIfNull(post);
        var preLogp = new double[pre.Rows];
        objectives.LogProbs(phiOld, pre, preLogp);
        var preDist = new double[objectives.DistributionLength(pre)];
        objectives.Distributions(phiOld, pre, preDist);
        var postLogp = new double[post.Rows];
        objectives.LogProbs(thetaOld, post, postLogp);
        return new ProMpTaskData(pre, post, preLogp, preDist, postLogp);
    }
}

/// <summary>
/// ProMP's per-task outer objective (Rothfuss et al., ICLR 2019; the authors' <c>meta_algos/pro_mp.py</c>) at
/// meta-parameters φ:
/// O(φ) = mean_{B¹} min(ρ·Â¹, clip(ρ, 1 − ε, 1 + ε)·Â¹) − η·mean_{B⁰} KL(π_φo ‖ π_φ), ρ = π_θ'(φ)(a|s)/π_θ'(φo)(a|s),
/// with θ'(φ) = φ + α∇_φ mean_{B⁰}[(π_φ/π_φo)·Â⁰] (the adaptation component's likelihood-ratio step, π_φo fixed).
/// Its gradient is (dθ'/dφ)ᵀ∇_θ'[clipped objective] − η∇_φ KL with dθ'/dφ = I + α∇²(ratio surrogate), the LVC
/// Hessian, applied by <see cref="Hypergradient"/> through the task's adaptation.
/// </summary>
public static class ProMpObjective
{
    /// <summary>
    /// O(φ) for one task; when <paramref name="gradient"/> is not empty, ∇_φO written into it. Returns the value and the
    /// CG outcome of the products through the inner steps.
    /// </summary>
    /// <param name="objectives">Batched policy passes.</param>
    /// <param name="adaptation">The likelihood-ratio step (<see cref="AdaptationOptions.LikelihoodRatioStep"/>).</param>
    /// <param name="hypergradient">The (dθ'/dφ)ᵀ product through the inner steps.</param>
    /// <param name="data">The task's fixed batches and old-policy records.</param>
    /// <param name="phi">The current meta-parameters φ.</param>
    /// <param name="innerSteps">Inner steps on B⁰.</param>
    /// <param name="clipEpsilon">ε of the clipped ratio.</param>
    /// <param name="innerKlCoefficient">η of the inner KL penalty.</param>
    /// <param name="gradient">∇_φO, or empty for the value only.</param>
    public static (double Value, CgSummary Cg) Evaluate(BatchObjectives objectives, SampledAdaptation adaptation, Hypergradient hypergradient,
        ProMpTaskData data, ReadOnlySpan<double> phi, int innerSteps, double clipEpsilon, double innerKlCoefficient, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        ArgumentNullException.ThrowIfNull(hypergradient);
        ArgumentNullException.ThrowIfNull(data);
        TaskAdaptation adapted = TaskAdaptation.Run(adaptation, objectives, data.Pre, phi, innerSteps, data.PreLogProbs);
        bool withGradient = !gradient.IsEmpty;
        double[] gPrime = withGradient ? new double[phi.Length] : [];
        double outer = objectives.ProximalSurrogate(adapted.ThetaPrime, data.Post, data.PostLogProbs, clipEpsilon, gPrime);
        double[] klGradient = withGradient ? new double[phi.Length] : [];
        double kl = objectives.MeanKl(phi, data.Pre, data.PreDistributions, KlDirection.ReferenceFirst, klGradient);
        CgSummary cg = default;
        if (withGradient)
        {
            cg = hypergradient.TransposeJacobianProduct(adapted, objectives, gPrime, gradient);
            FixedOrder.MultiplyAdd(klGradient, -innerKlCoefficient, gradient, gradient);
        }

        return (outer - innerKlCoefficient * kl, cg);
    }
}
