using BoMrl.DistanceKinds;
using BoMrl.Numerics;

namespace BoMrl.Tabular.Adaptation;

/// <summary>How the within-task objective treats the importance-weighted return term of (2).</summary>
public enum TabularSurrogate
{
    /// <summary>The exact term E_{s~ν^{π_φ}}[Σ_a π(a|s) Q^{π_φ}(s,a)] (eq. 1): D1/D2 closed forms, D3 Newton solve.</summary>
    Exact = 0,

    /// <summary>
    /// Its first-order expansion around φ, (θ − φ)ᵀ E_{ν^{π_φ}, π_φ}[∇ log π_φ Q] (Appendix G, eq. 9). With D3 this is
    /// one policy-gradient step θ' = φ + G/(2λ) (Appendix H, eq. 11): MAML's inner step.
    /// </summary>
    FirstOrder = 1,
}

/// <summary>How the D3 within-task problem weights the states (the two readings of the paper for the tabular policy).</summary>
public enum EuclideanWeighting
{
    /// <summary>
    /// docs/design.md §3a, eq. (2) with f_θ = θ: max_θ Σ_s ν^{π_φ}(s) ⟨π_θ(·|s), Q(s,·)⟩ − λ‖θ − φ‖²; per state the effective
    /// weight is λ/ν(s), so with ν(s) ≈ 1/|S| the step is about |S| times smaller than with <see cref="PerState"/>.
    /// </summary>
    Visitation = 0,

    /// <summary>
    /// Eq. (1) with d3 per state (Appendix J.1 keeps d inside the ν-expectation, so ν cancels):
    /// for every s, max ⟨π_θ(·|s), Q(s,·)⟩ − λ‖θ(s,·) − φ(s,·)‖².
    /// </summary>
    PerState = 1,
}

/// <summary>
/// The within-task algorithm Alg(π_φ, λ, τ) for the tabular softmax policy (Section 4, eq. 1; docs/design.md §3a, §3c):
/// θ' = argmax_θ E_{s~ν^{π_φ}}[Σ_a π_θ(a|s) Q^{π_φ}(s,a)] − λ D²_τ(π_φ, π_θ), given φ, Q^{π_φ} (exact or estimated)
/// and ν^{π_φ}. One component configured by a <see cref="Distance"/> and a <see cref="TabularSurrogate"/>:
/// <list type="bullet">
/// <item>D1 (forward KL): π'(a|s) = λ π_φ(a|s) / (μ(s) − Q(s,a)), μ(s) > max_a Q by a safeguarded Newton solve
/// (<see cref="ForwardKlSolver"/>).</item>
/// <item>D2 (reverse KL): π'(a|s) ∝ π_φ(a|s) exp(Q(s,a)/λ), i.e. θ' = φ + Q/λ (<see cref="ReverseKlSolver"/>).</item>
/// <item>D3 (Euclidean on θ): per state, max ν(s)⟨softmax θ_s, Q_s⟩ − λ‖θ_s − φ_s‖² by damped Newton to ‖∇‖∞ ≤ 1e-12
/// (the ν-weighted form separates over states because the penalty does; <see cref="EuclideanSolver"/>).</item>
/// <item>First-order + D3: θ' = φ + (1/(2λ)) ν π ⊙ A = φ + (1 − γ)/(2λ) ∇J(π_φ), a policy-gradient step (MAML;
/// <see cref="PolicyGradientStep"/>).</item>
/// </list>
/// Returns logits θ' (for D1 θ' = log π'). Immutable; thread-safe.
/// </summary>
public sealed class TabularAdaptation
{
    /// <summary>The distance D.</summary>
    public Distance Distance { get; }

    /// <summary>The regularisation weight λ &gt; 0.</summary>
    public double Lambda { get; }

    /// <summary>Exact or first-order surrogate.</summary>
    public TabularSurrogate Surrogate { get; }

    /// <summary>State weighting of the D3 problem (ignored by D1/D2, whose per-state problems do not depend on ν).</summary>
    public EuclideanWeighting Weighting { get; }

    /// <summary>Creates Alg with distance, λ and surrogate. The first-order surrogate is supported with D3 only.</summary>
    public TabularAdaptation(Distance distance, double lambda, TabularSurrogate surrogate = TabularSurrogate.Exact,
        EuclideanWeighting weighting = EuclideanWeighting.Visitation)
    {
        if (!Enum.IsDefined(distance))
        {
            throw new ArgumentOutOfRangeException(nameof(distance));
        }

        if (!double.IsFinite(lambda) || lambda <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "λ must be positive and finite.");
        }

        if (surrogate == TabularSurrogate.FirstOrder && distance != Distance.Euclidean)
        {
            throw new ArgumentException("the first-order surrogate is implemented with D3 (the policy-gradient step); " +
                "with D1/D2 it needs the second-order expansion of the distance (NPG), which the tabular toolkit does not use.",
                nameof(surrogate));
        }

        if (surrogate == TabularSurrogate.FirstOrder && weighting != EuclideanWeighting.Visitation)
        {
            throw new ArgumentException("the policy-gradient step is the visitation-weighted first-order problem (Appendix H).", nameof(weighting));
        }

        Distance = distance;
        Lambda = lambda;
        Surrogate = surrogate;
        Weighting = weighting;
    }

    /// <summary>The same adaptation with another λ (a meta-learned λ).</summary>
    public TabularAdaptation WithLambda(double lambda) => new(Distance, lambda, Surrogate, Weighting);

    /// <summary>The state weight of the D3 return term: ν^{π_φ}(s), or 1 per state.</summary>
    public double StateWeight(PolicyEvaluation atPhi, int state) =>
        Weighting == EuclideanWeighting.PerState ? 1.0 : atPhi.Nu[state];

    /// <summary>
    /// MAML's inner step θ' = φ + α ∇_φ J_τ(π_φ) as this component (Appendix H, eq. (11)): the first-order surrogate
    /// with D3 and λ = <see cref="PolicyGradientCorrespondence"/>(α, γ) = (1 − γ)/(2α). This is the one way the
    /// tabular wing builds MAML's step.
    /// </summary>
    public static TabularAdaptation PolicyGradientStep(double stepSize, double gamma)
    {
        if (!double.IsFinite(stepSize) || stepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "the step size must be positive and finite.");
        }

        return new TabularAdaptation(Distance.Euclidean, PolicyGradientCorrespondence(stepSize, gamma), TabularSurrogate.FirstOrder);
    }

    /// <summary>For a policy-gradient configuration, the step size α on ∇J it equals: (1 − γ)/(2λ).</summary>
    public double PolicyGradientStepSize(double gamma) => PolicyGradientCorrespondence(Lambda, gamma);

    /// <summary>
    /// The correspondence between MAML's step size α and the λ of the first-order D3 configuration (Appendix H,
    /// eq. (11)): α·λ = (1 − γ)/2, so this returns (1 − γ)/(2x), which is λ for x = α and α for x = λ.
    /// <para>
    /// Why (1 − γ): the linear term of (11) is (θ − φ)ᵀG with G = E_{s~ν^{π_φ}, a~π_φ}[∇_φ log π_φ(a|s) Q^{π_φ}(s,a)]
    /// = ν π_φ ⊙ A^{π_φ} for the tabular softmax, and ν is normalised (Σ_s ν(s) = 1), so G = (1 − γ)∇_φ J(π_φ) by the
    /// policy-gradient theorem. Maximising (θ − φ)ᵀG − λ‖θ − φ‖² gives θ' = φ + G/(2λ) = φ + (1 − γ)/(2λ) ∇J.
    /// (The sampled wing's first-order model uses the batch estimate ĝ of ∇J itself, so its λ is 1/(2α).)
    /// </para>
    /// </summary>
    public static double PolicyGradientCorrespondence(double stepSizeOrLambda, double gamma) =>
        (1 - gamma) / (2 * stepSizeOrLambda);

    /// <summary>
    /// Writes θ' = Alg(π_φ, λ, τ) into <paramref name="thetaPrime"/>. <paramref name="atPhi"/> is the evaluation of
    /// π_φ (its Q may be a Monte-Carlo estimate; its ν is used by D3 and the first-order step).
    /// </summary>
    public void Adapt(ReadOnlySpan<double> phi, PolicyEvaluation atPhi, Span<double> thetaPrime)
    {
        ArgumentNullException.ThrowIfNull(atPhi);
        int na = atPhi.Mdp.ActionCount;
        int n = atPhi.Mdp.PairCount;
        ArgumentOutOfRangeException.ThrowIfNotEqual(phi.Length, n, nameof(phi));
        ArgumentOutOfRangeException.ThrowIfNotEqual(thetaPrime.Length, n, nameof(thetaPrime));
        Span<double> piPrime = stackalloc double[na];
        for (int s = 0; s < atPhi.Mdp.StateCount; s++)
        {
            ReadOnlySpan<double> phiS = phi.Slice(s * na, na);
            ReadOnlySpan<double> piS = atPhi.Pi.AsSpan(s * na, na);
            ReadOnlySpan<double> qS = atPhi.Q.AsSpan(s * na, na);
            Span<double> outS = thetaPrime.Slice(s * na, na);
            if (Surrogate == TabularSurrogate.FirstOrder)
            {
                double c = atPhi.Nu[s] / (2 * Lambda);
                TabularSoftmax.JacobianTimes(piS, qS, outS);
                for (int a = 0; a < na; a++)
                {
                    outS[a] = phiS[a] + c * outS[a];
                }

                continue;
            }

            switch (Distance)
            {
                case Distance.KlReverse:
                    ReverseKlSolver.Logits(phiS, qS, Lambda, outS);
                    break;
                case Distance.KlForward:
                    ForwardKlSolver.Solve(piS, qS, Lambda, piPrime);
                    for (int a = 0; a < na; a++)
                    {
                        outS[a] = PortableMath.Log(piPrime[a]);
                    }

                    break;
                default:
                    EuclideanSolver.Solve(phiS, qS, StateWeight(atPhi, s), Lambda, outS);
                    break;
            }
        }
    }

    /// <summary>Convenience: returns θ' as a new array.</summary>
    public double[] Adapt(ReadOnlySpan<double> phi, PolicyEvaluation atPhi)
    {
        double[] theta = new double[phi.Length];
        Adapt(phi, atPhi, theta);
        return theta;
    }
}
