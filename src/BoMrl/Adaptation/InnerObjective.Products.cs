using BoMrl.Distances;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Adaptation;

/// <summary>The second-order products of L = S − λ·D that eq. (8) and the inner Newton solve need.</summary>
public sealed partial class InnerObjective
{
    /// <summary>
    /// The same objective on every <paramref name="stride"/>-th row of the batch (weights renormalised), for cheaper
    /// curvature products in CG: Hessian-free optimisation's mini-batch curvature (Martens 2010). Stride 1 is this.
    /// </summary>
    public InnerObjective ForCurvature(BatchObjectives evaluator, int stride)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (stride == 1)
        {
            return this;
        }

        PolicyBatch sub = Batch.Subsample(stride);
        double[] behaviour = [];
        if (_logBehaviour.Length > 0)
        {
            behaviour = new double[sub.Rows];
            for (int r = 0; r < sub.Rows; r++)
            {
                behaviour[r] = _logBehaviour[r * stride];
            }
        }

        return new InnerObjective(evaluator, sub, Options, _phi, behaviour);
    }

    /// <summary>
    /// v ↦ H·v with H = −∇²_θL(θ, φ) at a fixed θ, for CG: ∇_θL(θ) is computed once here and each product is a
    /// forward difference (one gradient evaluation; <see cref="HessianVector.ForwardDifference"/>).
    /// </summary>
    public LinearOperator CurvatureOperator(BatchObjectives evaluator, ReadOnlySpan<double> theta)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        double[] th = theta.ToArray();
        var g0 = new double[th.Length];
        Evaluate(evaluator, th, g0);
        return (v, result) =>
        {
            HessianVector.ForwardDifference((t, g) => Evaluate(evaluator, t, g), th, g0, v, result, _differenceScratch);
            FixedOrder.Negate(result, result);
        };
    }

    /// <summary>result = H·v with H = −∇²_θL(θ, φ) (positive definite at a strict maximum), by central differences.</summary>
    public void NegativeHessianProduct(BatchObjectives evaluator, ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        HessianVector.CentralDifference((t, g) => Evaluate(evaluator, t, g), theta, v, result, _differenceScratch);
        FixedOrder.Negate(result, result);
    }

    /// <summary>
    /// result = Cᵀ·x = ∇_φ[xᵀ∇_θL(θ, φ)]: the vector–Jacobian product that turns H⁻¹g' into the hypergradient (eq. (8)).
    /// The distance part is −λ∇_φ[xᵀ∇_θD̂²] (<see cref="IDistance.MixedTransposeProduct"/>).
    /// </summary>
    public void MixedTransposeProduct(BatchObjectives evaluator, ReadOnlySpan<double> theta, ReadOnlySpan<double> x, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        PolicyGradientCurvature(evaluator, x, result);
        _distance.MixedTransposeProduct(evaluator, _anchor, theta, x, _tmp2);
        FixedOrder.MultiplyAdd(_tmp2, -Lambda, result, result);
    }

    /// <summary>
    /// result = C·v = (∂/∂φ ∇_θL(θ, φ))·v: the Jacobian–vector product for forward-mode use of dθ'/dφ = H⁻¹C.
    /// The distance part is −λ times the derivative along v (in φ) of ∇_θD̂² (<see cref="IDistance.MixedProduct"/>).
    /// </summary>
    public void MixedProduct(BatchObjectives evaluator, ReadOnlySpan<double> theta, ReadOnlySpan<double> v, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        PolicyGradientCurvature(evaluator, v, result);
        _distance.MixedProduct(evaluator, _anchor, theta, v, _tmp2);
        FixedOrder.MultiplyAdd(_tmp2, -Lambda, result, result);
    }

    /// <summary>
    /// result = ∇_φ ĝ(φ)·v (the Hessian of the batch objective whose gradient ĝ is, symmetric) for the linear-model
    /// surrogates, by a forward difference from the cached ĝ(φ) (one gradient evaluation); 0 otherwise. For
    /// first-order-ratio the behaviour log-probabilities stay fixed, so this is the LVC Hessian times v.
    /// </summary>
    private void PolicyGradientCurvature(BatchObjectives ev, ReadOnlySpan<double> v, Span<double> result)
    {
        if (Options.Surrogate == SurrogateKind.FirstOrder)
        {
            HessianVector.ForwardDifference((p, g) => ev.PolicyGradientObjective(p, Batch, g), _phi, _gHat, v, result, _differenceScratch);
        }
        else if (Options.Surrogate == SurrogateKind.FirstOrderRatio)
        {
            HessianVector.ForwardDifference((p, g) => ev.RatioSurrogate(p, Batch, _logBehaviour, clipped: false, g), _phi, _gHat, v, result,
                _differenceScratch);
        }
        else
        {
            result.Clear();
        }
    }
}
