using BoMrl.Numerics;

namespace BoMrl.Tabular;

/// <summary>
/// Exact evaluation of a tabular policy π on an MDP by linear solves (docs/design.md §1, §4a): P^π, r^π, V = (I − γP^π)⁻¹ r^π,
/// Q = r + γ P V, A = Q − V, the normalised discounted visitation ν^π = (1 − γ)(I − γP^π)⁻ᵀ ρ and J = ρᵀV.
/// Keeps the LU factors of I − γP^π for the resolvent G = (I − γP^π)⁻¹ used by ∇_φ Q (Appendix C) and ∇ν.
/// <see cref="WithEstimatedQ"/> replaces Q (and V, A) by Monte-Carlo estimates while keeping the model terms.
/// </summary>
public sealed partial class PolicyEvaluation
{
    private readonly DenseLu _lu;

    /// <summary>The MDP.</summary>
    public TabularMdp Mdp { get; }

    /// <summary>π(a|s) at s·|A| + a.</summary>
    public double[] Pi { get; }

    /// <summary>V^π(s) (exact, or Σ_a π Q̂ when Q is estimated).</summary>
    public double[] V { get; }

    /// <summary>Q^π(s, a) (exact or estimated).</summary>
    public double[] Q { get; }

    /// <summary>A^π(s, a) = Q − V.</summary>
    public double[] A { get; }

    /// <summary>ν^π(s) = (1 − γ) Σ_t γ^t P(s_t = s | ρ, π); sums to 1. Always exact (model-based).</summary>
    public double[] Nu { get; }

    /// <summary>J(π) = Σ_s ρ(s) V^π(s), exact (model-based) even when Q is estimated.</summary>
    public double Return { get; }

    /// <summary>True when Q, V, A are Monte-Carlo estimates rather than exact.</summary>
    public bool IsEstimated { get; }

    private PolicyEvaluation(TabularMdp mdp, double[] pi, DenseLu lu, double[] v, double[] q, double[] a, double[] nu,
        double ret, bool estimated)
    {
        Mdp = mdp;
        Pi = pi;
        _lu = lu;
        V = v;
        Q = q;
        A = a;
        Nu = nu;
        Return = ret;
        IsEstimated = estimated;
    }

    /// <summary>Evaluates the softmax policy with logits <paramref name="theta"/>.</summary>
    public static PolicyEvaluation OfLogits(TabularMdp mdp, ReadOnlySpan<double> theta)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentOutOfRangeException.ThrowIfNotEqual(theta.Length, mdp.PairCount, nameof(theta));
        return OfPolicy(mdp, TabularSoftmax.Probabilities(theta, mdp.ActionCount));
    }

    /// <summary>Evaluates the stochastic policy <paramref name="pi"/> (rows must be distributions; not copied).</summary>
    public static PolicyEvaluation OfPolicy(TabularMdp mdp, double[] pi)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        ArgumentNullException.ThrowIfNull(pi);
        int ns = mdp.StateCount;
        int na = mdp.ActionCount;
        ArgumentOutOfRangeException.ThrowIfNotEqual(pi.Length, mdp.PairCount, nameof(pi));
        double gamma = mdp.Gamma;
        ReadOnlySpan<double> p = mdp.Transitions;
        ReadOnlySpan<double> r = mdp.Rewards;
        double[] m = new double[ns * ns];
        double[] v = new double[ns];
        for (int s = 0; s < ns; s++)
        {
            m[s * ns + s] = 1;
            double rs = 0;
            for (int a = 0; a < na; a++)
            {
                double w = pi[s * na + a];
                if (w == 0)
                {
                    continue;
                }

                rs += w * r[s * na + a];
                ReadOnlySpan<double> row = p.Slice((s * na + a) * ns, ns);
                for (int t = 0; t < ns; t++)
                {
                    m[s * ns + t] -= gamma * w * row[t];
                }
            }

            v[s] = rs;
        }

        var lu = new DenseLu(m, ns);
        lu.Solve(v);
        double[] q = new double[ns * na];
        double[] adv = new double[ns * na];
        for (int sa = 0; sa < ns * na; sa++)
        {
            ReadOnlySpan<double> row = p.Slice(sa * ns, ns);
            q[sa] = r[sa] + gamma * FixedOrder.Dot(row, v);
            adv[sa] = q[sa] - v[sa / na];
        }

        double[] nu = mdp.InitialDistribution.ToArray();
        lu.SolveTransposed(nu);
        for (int s = 0; s < ns; s++)
        {
            nu[s] *= 1 - gamma;
        }

        double ret = FixedOrder.Dot(mdp.InitialDistribution, v);
        CheckFinite(v, "V");
        CheckFinite(nu, "ν");
        return new PolicyEvaluation(mdp, pi, lu, v, q, adv, nu, ret, estimated: false);
    }

    /// <summary>
    /// A copy whose Q is <paramref name="qHat"/> (e.g. Monte-Carlo), with V̂(s) = Σ_a π Q̂ and Â = Q̂ − V̂; ν, J and
    /// the resolvent stay exact (model-based). This is the sampled variant of Algorithm 1 (lines 3 and 5).
    /// </summary>
    public PolicyEvaluation WithEstimatedQ(double[] qHat)
    {
        ArgumentNullException.ThrowIfNull(qHat);
        ArgumentOutOfRangeException.ThrowIfNotEqual(qHat.Length, Q.Length, nameof(qHat));
        CheckFinite(qHat, "Q̂");
        int na = Mdp.ActionCount;
        double[] v = new double[Mdp.StateCount];
        double[] adv = new double[qHat.Length];
        for (int s = 0; s < v.Length; s++)
        {
            v[s] = FixedOrder.Dot(Pi.AsSpan(s * na, na), qHat.AsSpan(s * na, na));
            for (int a = 0; a < na; a++)
            {
                adv[s * na + a] = qHat[s * na + a] - v[s];
            }
        }

        return new PolicyEvaluation(Mdp, Pi, _lu, v, qHat, adv, Nu, Return, estimated: true);
    }


    private static void CheckFinite(ReadOnlySpan<double> v, string what)
    {
        foreach (double x in v)
        {
            if (!double.IsFinite(x))
            {
                throw new NumericalFailureException($"policy evaluation: non-finite {what}.");
            }
        }
    }
}
