using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Tabular.Adaptation;

namespace BoMrl.Tabular.Meta;

/// <summary>
/// Hypergradients ∇_φ J_τ(Alg(π_φ, λ, τ)) for the tabular softmax policy (Section 4, Propositions 1–2, Appendices
/// C, H, J, K.1, L.1; docs/design.md §4a–§4b). Every method takes the evaluation of π_φ (Q may be estimated; ν, G exact) and of
/// the adapted policy π' (its A may be estimated) and writes the gradient with respect to φ (length |S||A|).
/// With exact Q these are the exact gradients of the deterministic meta-objective, which the tests check against
/// central finite differences.
/// </summary>
public static partial class TabularHypergradient
{
    /// <summary>
    /// The hypergradient of the configuration <paramref name="alg"/>: eq. (25) for D1, eq. (33) for D2, implicit
    /// differentiation for D3, and MAML's exact meta-gradient for the first-order (policy-gradient) configuration.
    /// </summary>
    public static void Compute(TabularAdaptation alg, ReadOnlySpan<double> phi, PolicyEvaluation atPhi,
        ReadOnlySpan<double> thetaPrime, PolicyEvaluation atPrime, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(alg);
        if (alg.Surrogate == TabularSurrogate.FirstOrder)
        {
            PolicyGradientStepExact(atPhi, atPrime, alg.PolicyGradientStepSize(atPhi.Mdp.Gamma), gradient);
            return;
        }

        switch (alg.Distance)
        {
            case Distance.KlForward:
                ForwardKl(atPhi, atPrime, alg.Lambda, gradient);
                break;
            case Distance.KlReverse:
                ReverseKl(atPhi, atPrime, alg.Lambda, gradient);
                break;
            default:
                EuclideanImplicit(phi, atPhi, thetaPrime, atPrime, alg.Lambda, gradient, alg.Weighting);
                break;
        }
    }

    /// <summary>
    /// Eq. (33), D2: ∇_φ J = 1/(1−γ) E_{s~ν^{π'}, a~π'}[A^{π'}(s,a) ((1/λ) ∇_φ Q^{π_φ}(s,a) + e(s,a))].
    /// </summary>
    public static void ReverseKl(PolicyEvaluation atPhi, PolicyEvaluation atPrime, double lambda, Span<double> gradient)
    {
        Check(atPhi, atPrime, lambda, gradient);
        int na = atPhi.Mdp.ActionCount;
        double c = 1.0 / (1 - atPhi.Mdp.Gamma);
        double[] w = new double[gradient.Length];
        for (int sa = 0; sa < w.Length; sa++)
        {
            w[sa] = c * atPrime.Nu[sa / na] * atPrime.Pi[sa] * atPrime.A[sa];
        }

        atPhi.GradQTransposeTimes(w, gradient);
        for (int sa = 0; sa < w.Length; sa++)
        {
            gradient[sa] = gradient[sa] / lambda + w[sa];
        }
    }

    /// <summary>
    /// Eq. (25), D1: ∇_φ J = 1/(1−γ) E_{s~ν^{π'}, a~π'}[(A^{π'}(s,a) − c(s)) (π'(a|s)/(λ π_φ(a|s)) ∇_φ Q^{π_φ}(s,a)
    /// + e(s,a) − π_φ(·|s))], c(s) = Σ_a A^{π'} π'²/π_φ / Σ_a π'²/π_φ (eq. 23).
    /// </summary>
    public static void ForwardKl(PolicyEvaluation atPhi, PolicyEvaluation atPrime, double lambda, Span<double> gradient)
    {
        Check(atPhi, atPrime, lambda, gradient);
        int ns = atPhi.Mdp.StateCount;
        int na = atPhi.Mdp.ActionCount;
        double k = 1.0 / (1 - atPhi.Mdp.Gamma);
        double[] u = new double[gradient.Length];
        double[] w = new double[gradient.Length];
        double[] blockSum = new double[ns];
        for (int s = 0; s < ns; s++)
        {
            double num = 0;
            double den = 0;
            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                double r = atPrime.Pi[sa] * atPrime.Pi[sa] / atPhi.Pi[sa];
                num += atPrime.A[sa] * r;
                den += r;
            }

            double cs = num / den;
            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                u[sa] = k * atPrime.Nu[s] * atPrime.Pi[sa] * (atPrime.A[sa] - cs);
                w[sa] = u[sa] * atPrime.Pi[sa] / (lambda * atPhi.Pi[sa]);
                blockSum[s] += u[sa];
            }
        }

        atPhi.GradQTransposeTimes(w, gradient);
        for (int sa = 0; sa < gradient.Length; sa++)
        {
            gradient[sa] += u[sa] - blockSum[sa / na] * atPhi.Pi[sa];
        }
    }

    /// <summary>
    /// Proposition 1 in its general form for D1 and D2 (Appendix J.1, eq. 19), with explicit matrices:
    /// ∇_φ π'(·|s)ᵀ = (M⁻¹ − M⁻¹11ᵀM⁻¹/(1ᵀM⁻¹1)) (∇_φ Q^{π_φ}(s,·)ᵀ − λ ∇_φ∇_π d²(π_φ, π)|_{π'}),
    /// M = λ∇²_π d²: D1 λ diag(π_φ/π'²), D2 λ diag(1/π'); then ∇_φ J = 1/(1−γ) Σ_s ν^{π'}(s) Σ_a ∇_φ π'(a|s) A^{π'}(s,a).
    /// O(|S|³|A|²); the reference the simplified forms (25) and (33) are tested against.
    /// </summary>
    public static void Proposition1(Distance distance, PolicyEvaluation atPhi, PolicyEvaluation atPrime, double lambda,
        Span<double> gradient)
    {
        Check(atPhi, atPrime, lambda, gradient);
        if (distance == Distance.Euclidean)
        {
            throw new ArgumentException("Proposition 1 is stated in policy space (D1, D2); D3 uses EuclideanImplicit.", nameof(distance));
        }

        int ns = atPhi.Mdp.StateCount;
        int na = atPhi.Mdp.ActionCount;
        int n = ns * na;
        double[] gradQ = atPhi.GradQ();
        double k = 1.0 / (1 - atPhi.Mdp.Gamma);
        gradient.Clear();
        double[] m = new double[na];
        double[] z = new double[na];
        for (int s = 0; s < ns; s++)
        {
            double sumM = 0;
            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                double piP = atPrime.Pi[sa];
                m[a] = distance == Distance.KlForward ? piP * piP / (lambda * atPhi.Pi[sa]) : piP / lambda; // M⁻¹ diagonal
                sumM += m[a];
            }

            // z = K A'(s,·) with K = diag(m) − m mᵀ / Σm (symmetric).
            double mA = 0;
            for (int a = 0; a < na; a++)
            {
                mA += m[a] * atPrime.A[s * na + a];
            }

            for (int a = 0; a < na; a++)
            {
                z[a] = k * atPrime.Nu[s] * (m[a] * atPrime.A[s * na + a] - m[a] * mA / sumM);
            }

            for (int a = 0; a < na; a++)
            {
                ReadOnlySpan<double> row = gradQ.AsSpan((s * na + a) * n, n);
                for (int j = 0; j < n; j++)
                {
                    gradient[j] += z[a] * row[j];
                }

                // − λ z_a ∂/∂φ(s,b) ∇_{π(a)} d²: D1 ∇_π d² = −π_φ/π' ⇒ ∂ = −π_φ(a)(δ_ab − π_φ(b))/π'(a);
                // D2 ∇_π d² = log π − log π_φ + 1 ⇒ ∂ = −(δ_ab − π_φ(b)).
                for (int b = 0; b < na; b++)
                {
                    double delta = a == b ? 1 : 0;
                    double cross = distance == Distance.KlForward
                        ? -atPhi.Pi[s * na + a] * (delta - atPhi.Pi[s * na + b]) / atPrime.Pi[s * na + a]
                        : -(delta - atPhi.Pi[s * na + b]);
                    gradient[s * na + b] -= lambda * z[a] * cross;
                }
            }
        }
    }

    /// <summary>
    /// D3 by implicit differentiation of the per-state stationarity condition F_s = ν(s) π'⊙(Q_s − ⟨π', Q_s⟩) −
    /// 2λ(θ'_s − φ_s) = 0 (Proposition 2 with exact expectations, including the ∇_φ Q and ∇_φ ν terms):
    /// with H_s = ∂F_s/∂θ (negative definite at the maximum), y_s = −H_s⁻¹ ∇_{θ_s} J(π'),
    /// ∇_φ J = Σ_s [(∂_ν F_s · y_s) ∇_φ ν(s) + ν(s) ∇_φ Q_sᵀ J_softmax(θ'_s) y_s + 2λ e_s y_s]. With
    /// <see cref="EuclideanWeighting.PerState"/> the weight is 1 and the ∇_φ ν term vanishes.
    /// </summary>
    public static void EuclideanImplicit(ReadOnlySpan<double> phi, PolicyEvaluation atPhi, ReadOnlySpan<double> thetaPrime,
        PolicyEvaluation atPrime, double lambda, Span<double> gradient, EuclideanWeighting weighting = EuclideanWeighting.Visitation)
    {
        Check(atPhi, atPrime, lambda, gradient);
        int ns = atPhi.Mdp.StateCount;
        int na = atPhi.Mdp.ActionCount;
        double k = 1.0 / (1 - atPhi.Mdp.Gamma);
        double[] c = new double[ns];
        double[] w = new double[gradient.Length];
        double[] y = new double[gradient.Length];
        Span<double> pi = stackalloc double[na];
        Span<double> g = stackalloc double[na];
        Span<double> h = stackalloc double[na * na];
        Span<double> l = stackalloc double[na * na];
        Span<double> negated = stackalloc double[na * na];
        Span<double> rhs = stackalloc double[na];
        Span<double> ys = stackalloc double[na];
        Span<double> jy = stackalloc double[na];
        for (int s = 0; s < ns; s++)
        {
            double nu = weighting == EuclideanWeighting.PerState ? 1.0 : atPhi.Nu[s];
            ReadOnlySpan<double> q = atPhi.Q.AsSpan(s * na, na);
            EuclideanSolver.Derivatives(phi.Slice(s * na, na), q, nu, lambda, thetaPrime.Slice(s * na, na), pi, g, h);
            if (!EuclideanSolver.TryFactorNegated(h, na, 0, negated, l))
            {
                throw new NumericalFailureException($"D3 hypergradient: the inner Hessian at state {s} is not negative definite (no strict maximum).");
            }

            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                rhs[a] = k * atPrime.Nu[s] * atPrime.Pi[sa] * atPrime.A[sa]; // ∇_{θ(s,a)} J(π_θ) at θ'
            }

            Cholesky.Solve(l, na, rhs, ys); // ys = (−H)⁻¹ g' = y_s
            // ∂F_s/∂ν = π'⊙(Q − ⟨π', Q⟩) = J_softmax(θ') Q
            TabularSoftmax.JacobianTimes(pi, q, g);
            c[s] = FixedOrder.Dot(g, ys);
            TabularSoftmax.JacobianTimes(pi, ys, jy);
            for (int a = 0; a < na; a++)
            {
                w[s * na + a] = nu * jy[a];
                y[s * na + a] = ys[a];
            }
        }

        double[] tmp = new double[gradient.Length];
        if (weighting == EuclideanWeighting.PerState)
        {
            gradient.Clear();
        }
        else
        {
            atPhi.NuWeightedGradient(c, gradient);
        }

        atPhi.GradQTransposeTimes(w, tmp);
        for (int sa = 0; sa < gradient.Length; sa++)
        {
            gradient[sa] += tmp[sa] + 2 * lambda * y[sa];
        }
    }

    private static void Check(PolicyEvaluation atPhi, PolicyEvaluation atPrime, double scale, Span<double> gradient)
    {
        ArgumentNullException.ThrowIfNull(atPhi);
        ArgumentNullException.ThrowIfNull(atPrime);
        if (!ReferenceEquals(atPhi.Mdp, atPrime.Mdp))
        {
            throw new ArgumentException("both evaluations must be on the same MDP", nameof(atPrime));
        }

        if (!double.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "λ / step size must be positive and finite.");
        }

        ArgumentOutOfRangeException.ThrowIfNotEqual(gradient.Length, atPhi.Mdp.PairCount, nameof(gradient));
    }
}
