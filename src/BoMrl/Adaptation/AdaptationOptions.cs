using BoMrl.DistanceKinds;

namespace BoMrl.Adaptation;

/// <summary>The first term of the within-task objective (eq. (2) / (7); Appendices G, H).</summary>
public enum SurrogateKind
{
    /// <summary>1/|B| Σ h(π_θ/π_φ)·Â with h(x) = 2/(1 + e^{−2(x−1)}) (eq. (7), Appendix D).</summary>
    HClipped,

    /// <summary>1/|B| Σ (π_θ/π_φ)·Â, the plain importance-sampled objective of eq. (2).</summary>
    Ratio,

    /// <summary>
    /// The first-order (linear) model ĝ(φ)ᵀ(θ − φ) with ĝ(φ) = 1/|B| Σ ∇_φ log π_φ(a|s)·Â (Appendix G, eq. (9)).
    /// With D3 it gives θ' = φ + ĝ/(2λ): MAML's policy-gradient step (Appendix H).
    /// </summary>
    FirstOrder,

    /// <summary>
    /// The first-order model with the likelihood-ratio gradient ĝ(φ) = ∇_φ 1/|B| Σ (π_φ(a|s)/π_β(a|s))·Â, π_β the fixed
    /// behaviour policy (ProMP's <c>likelihood_ratio</c> inner objective). Equal to <see cref="FirstOrder"/>'s ĝ at
    /// φ = β; its φ-derivative is the low-variance curvature (LVC) estimator 1/|B| Σ (∇²log π + ∇log π ∇log πᵀ)·ρ·Â.
    /// With D3 it gives ProMP's inner step θ' = φ + ĝ/(2λ).
    /// </summary>
    FirstOrderRatio,
}

/// <summary>Parsing and naming of <see cref="SurrogateKind"/> as configs spell it (h-clipped, ratio, first-order).</summary>
public static class SurrogateNames
{
    /// <summary>The config spelling.</summary>
    public static string ToName(this SurrogateKind kind) => kind switch
    {
        SurrogateKind.HClipped => "h-clipped",
        SurrogateKind.Ratio => "ratio",
        SurrogateKind.FirstOrder => "first-order",
        SurrogateKind.FirstOrderRatio => "lvc",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Parses h-clipped / ratio / first-order / lvc; false on anything else.</summary>
    public static bool TryParse(string? text, out SurrogateKind kind)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "h-clipped" or "h": kind = SurrogateKind.HClipped; return true;
            case "ratio": kind = SurrogateKind.Ratio; return true;
            case "first-order" or "linear": kind = SurrogateKind.FirstOrder; return true;
            case "lvc" or "first-order-ratio": kind = SurrogateKind.FirstOrderRatio; return true;
            default: kind = default; return false;
        }
    }
}

/// <summary>
/// Settings of the one-time policy adaptation Alg(π_φ, λ, τ) on a sampled batch (eq. (7)): the distance D, the
/// surrogate, the regularisation weight λ, and Adam's iterations and step size (Appendix B: 50 iterations).
/// </summary>
/// <param name="Distance">D1 (KL(π_φ‖π_θ)), D2 (KL(π_θ‖π_φ)) or D3 (‖θ − φ‖²).</param>
/// <param name="Surrogate">The first term of the objective.</param>
/// <param name="Lambda">λ &gt; 0.</param>
/// <param name="Iterations">Adam iterations from θ = φ (ignored when the problem has a closed form: first-order + D3).</param>
/// <param name="LearningRate">Adam's step size.</param>
/// <param name="GradientTolerance">
/// Stop once ‖∇_θL‖₂ ≤ this (Adam checks before each step; L-BFGS polishing stops there too); 0 = no test, Adam runs
/// all <paramref name="Iterations"/> (Appendix B's fixed budget).
/// </param>
/// <param name="PolishIterations">
/// L-BFGS iterations (Nocedal &amp; Wright Alg. 7.4) on −L after Adam, to bring θ' to a maximiser of (7) so that eq. (8)'s
/// implicit-function solve meets a positive semi-definite H; 0 = none (Adam only).
/// </param>
/// <param name="NewtonIterations">
/// Trust-region Newton–CG iterations (exact H·v, Steihaug's CG, 20 products per step) on −L after Adam and L-BFGS:
/// follows negative curvature out of saddles, so θ' ends where −∇²L is positive semi-definite; 0 = none.
/// </param>
public sealed record AdaptationOptions(Distance Distance, SurrogateKind Surrogate, double Lambda, int Iterations = 50,
    double LearningRate = 0.01, double GradientTolerance = 0, int PolishIterations = 0, int NewtonIterations = 0)
{
    /// <summary>
    /// MAML's inner policy-gradient step θ' = φ + α·ĝ as this component's configuration (Appendix H; docs/design.md §3c):
    /// first-order surrogate, D3, λ = 1/(2α).
    /// </summary>
    public static AdaptationOptions PolicyGradientStep(double fastLearningRate) =>
        GradientStep(SurrogateKind.FirstOrder, fastLearningRate);

    /// <summary>
    /// ProMP's inner step θ' = φ + α·∇_φ 1/|B| Σ (π_φ/π_β)·Â (likelihood-ratio / LVC form, π_β fixed) as this component's
    /// configuration: first-order-ratio surrogate, D3, λ = 1/(2α).
    /// </summary>
    public static AdaptationOptions LikelihoodRatioStep(double innerLearningRate) =>
        GradientStep(SurrogateKind.FirstOrderRatio, innerLearningRate);

    private static AdaptationOptions GradientStep(SurrogateKind surrogate, double stepSize)
    {
        if (!double.IsFinite(stepSize) || stepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be finite and positive.");
        }

        return new AdaptationOptions(Distance.Euclidean, surrogate, 1.0 / (2.0 * stepSize), Iterations: 1);
    }

    /// <summary>True when the surrogate is a linear model ĝ(φ)ᵀ(θ − φ) (first-order or first-order-ratio).</summary>
    public bool IsLinearModel => Surrogate is SurrogateKind.FirstOrder or SurrogateKind.FirstOrderRatio;

    /// <summary>True when (7) is solved in closed form: a linear-model surrogate with D3 is a concave quadratic.</summary>
    public bool HasClosedForm => IsLinearModel && Distance == Distance.Euclidean;

    /// <summary>Throws when a setting is out of range or not finite.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Distance))
        {
            throw new ArgumentOutOfRangeException(nameof(Distance), Distance, "Unknown distance.");
        }

        if (!Enum.IsDefined(Surrogate))
        {
            throw new ArgumentOutOfRangeException(nameof(Surrogate), Surrogate, "Unknown surrogate.");
        }

        if (!double.IsFinite(Lambda) || Lambda <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "λ must be finite and positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Iterations);
        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be finite and positive.");
        }

        if (!double.IsFinite(GradientTolerance) || GradientTolerance < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, "The tolerance must be finite and ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(PolishIterations);
        ArgumentOutOfRangeException.ThrowIfNegative(NewtonIterations);
    }
}
