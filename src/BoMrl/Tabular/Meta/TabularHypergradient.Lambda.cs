using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Tabular.Adaptation;

namespace BoMrl.Tabular.Meta;

/// <summary>The λ-derivative of the adapted return, λ treated as a meta-parameter (issue 12).</summary>
public static partial class TabularHypergradient
{
    /// <summary>
    /// dJ_τ(π')/dλ for the exact surrogate (λ a parameter of the inner problem like φ; Q^{π_φ} does not depend on λ).
    /// D1/D2: per state, Q(s,·) − λ∇_πd²(π_φ, π') + μ1 = 0 on the simplex gives dπ'(·|s)/dλ = −K∇_πd², K = M⁻¹ −
    /// M⁻¹11ᵀM⁻¹/(1ᵀM⁻¹1) as in <see cref="Proposition1"/> (D1 ∇_πd² = −π_φ/π', D2 log(π'/π_φ) + 1), so
    /// dJ/dλ = 1/(1−γ) Σ_s ν^{π'}(s) (−∇_πd²)ᵀ K A^{π'}(s,·). D3: F_s(θ', λ) = 0 with ∂F_s/∂λ = −2(θ'_s − φ_s) gives
    /// dθ'_s/dλ = −2(−H_s)⁻¹(θ'_s − φ_s) and dJ/dλ = −2 Σ_s y_sᵀ(θ'_s − φ_s), y_s = (−H_s)⁻¹∇_{θ_s}J(π').
    /// </summary>
    public static double LambdaDerivative(TabularAdaptation alg, ReadOnlySpan<double> phi, PolicyEvaluation atPhi,
        ReadOnlySpan<double> thetaPrime, PolicyEvaluation atPrime)
    {
        ArgumentNullException.ThrowIfNull(alg);
        Check(atPhi, atPrime, alg.Lambda, new double[atPhi.Mdp.PairCount]);
        if (alg.Surrogate == TabularSurrogate.FirstOrder)
        {
            throw new ArgumentException("dJ/dλ is defined for the exact surrogate (BO-MRL), not the policy-gradient step.", nameof(alg));
        }

        int ns = atPhi.Mdp.StateCount, na = atPhi.Mdp.ActionCount;
        double k = 1.0 / (1 - atPhi.Mdp.Gamma), lambda = alg.Lambda, total = 0;
        if (alg.Distance == Distance.Euclidean)
        {
            Span<double> pi = stackalloc double[na];
            Span<double> g = stackalloc double[na];
            Span<double> h = stackalloc double[na * na];
            Span<double> l = stackalloc double[na * na];
            Span<double> negated = stackalloc double[na * na];
            Span<double> rhs = stackalloc double[na];
            Span<double> ys = stackalloc double[na];
            for (int s = 0; s < ns; s++)
            {
                double nu = alg.StateWeight(atPhi, s);
                EuclideanSolver.Derivatives(phi.Slice(s * na, na), atPhi.Q.AsSpan(s * na, na), nu, lambda, thetaPrime.Slice(s * na, na), pi, g, h);
                if (!EuclideanSolver.TryFactorNegated(h, na, 0, negated, l))
                {
                    throw new NumericalFailureException($"D3 dJ/dλ: the inner Hessian at state {s} is not negative definite (no strict maximum).");
                }

                for (int a = 0; a < na; a++)
                {
                    int sa = s * na + a;
                    rhs[a] = k * atPrime.Nu[s] * atPrime.Pi[sa] * atPrime.A[sa];
                }

                Cholesky.Solve(l, na, rhs, ys);
                for (int a = 0; a < na; a++)
                {
                    total -= 2 * ys[a] * (thetaPrime[s * na + a] - phi[s * na + a]);
                }
            }

            return total;
        }

        Span<double> m = stackalloc double[na];
        for (int s = 0; s < ns; s++)
        {
            double sumM = 0, mA = 0, mV = 0, vKa = 0;
            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                double piP = atPrime.Pi[sa];
                m[a] = alg.Distance == Distance.KlForward ? piP * piP / (lambda * atPhi.Pi[sa]) : piP / lambda; // M⁻¹ diagonal
                sumM += m[a];
                mA += m[a] * atPrime.A[sa];
            }

            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                double v = alg.Distance == Distance.KlForward
                    ? atPhi.Pi[sa] / atPrime.Pi[sa]                     // −∇_π d1² = π_φ/π'
                    : -(PortableMath.Log(atPrime.Pi[sa] / atPhi.Pi[sa]) + 1);   // −∇_π d2²
                mV += m[a] * v;
                vKa += v * m[a] * atPrime.A[sa];
            }

            total += k * atPrime.Nu[s] * (vKa - mV * mA / sumM);
        }

        return total;
    }
}
