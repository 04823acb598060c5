using BoMrl.Numerics;
namespace BoMrl.Tabular;

/// <summary>The derivatives of J, Q and ν with respect to the softmax logits, from one evaluation's resolvent.</summary>
public sealed partial class PolicyEvaluation
{
    /// <summary>
    /// Policy gradient of the tabular softmax policy (docs/design.md §1, Lemma 3):
    /// ∂J/∂θ(s, a) = ν(s) π(a|s) A(s, a) / (1 − γ).
    /// </summary>
    public void PolicyGradient(Span<double> dest)
    {
        int na = Mdp.ActionCount;
        double c = 1.0 / (1 - Mdp.Gamma);
        for (int sa = 0; sa < dest.Length; sa++)
        {
            dest[sa] = c * Nu[sa / na] * Pi[sa] * A[sa];
        }
    }

    /// <summary>
    /// Explicit ∇_φ Q^{π_φ} (Appendix C, eq. 5) as a (|S||A|)×(|S||A|) row-major matrix:
    /// ∂Q(s,a)/∂φ(s',a') = γ Σ_{s1} P(s1|s,a) G(s1,s') π(a'|s') A(s',a'). O(|S|³|A|); for tests and Prop. 1's general form.
    /// </summary>
    public double[] GradQ()
    {
        int ns = Mdp.StateCount;
        int na = Mdp.ActionCount;
        int n = ns * na;
        // Column s' of G: G e_{s'}; we need rows (P G)(sa, s') = Σ_s1 P(s1|sa) G(s1, s').
        double[] g = new double[ns * ns]; // g[s1 * ns + s'] = G(s1, s')
        double[] col = new double[ns];
        for (int t = 0; t < ns; t++)
        {
            Array.Clear(col);
            col[t] = 1;
            _lu.Solve(col);
            for (int s1 = 0; s1 < ns; s1++)
            {
                g[s1 * ns + t] = col[s1];
            }
        }

        ReadOnlySpan<double> p = Mdp.Transitions;
        double gamma = Mdp.Gamma;
        double[] result = new double[n * n];
        double[] pg = new double[ns];
        for (int sa = 0; sa < n; sa++)
        {
            Array.Clear(pg);
            for (int s1 = 0; s1 < ns; s1++)
            {
                double w = p[sa * ns + s1];
                if (w == 0)
                {
                    continue;
                }

                for (int t = 0; t < ns; t++)
                {
                    pg[t] += w * g[s1 * ns + t];
                }
            }

            for (int t = 0; t < ns; t++)
            {
                for (int b = 0; b < na; b++)
                {
                    result[sa * n + t * na + b] = gamma * pg[t] * Pi[t * na + b] * A[t * na + b];
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Contraction of ∇_φ Q with weights w: dest = Σ_{s,a} w(s,a) ∇_φ Q(s,a), computed by one transposed solve:
    /// dest(s',a') = γ (Gᵀ m)(s') π(a'|s') A(s',a') with m(s1) = Σ_{s,a} w(s,a) P(s1|s,a). O(|S|²|A|).
    /// </summary>
    public void GradQTransposeTimes(ReadOnlySpan<double> w, Span<double> dest)
    {
        int ns = Mdp.StateCount;
        int na = Mdp.ActionCount;
        ReadOnlySpan<double> p = Mdp.Transitions;
        double[] m = new double[ns];
        for (int sa = 0; sa < ns * na; sa++)
        {
            double ws = w[sa];
            if (ws == 0)
            {
                continue;
            }

            ReadOnlySpan<double> row = p.Slice(sa * ns, ns);
            for (int t = 0; t < ns; t++)
            {
                m[t] += ws * row[t];
            }
        }

        _lu.SolveTransposed(m);
        double gamma = Mdp.Gamma;
        for (int sa = 0; sa < ns * na; sa++)
        {
            dest[sa] = gamma * m[sa / na] * Pi[sa] * A[sa];
        }
    }

    /// <summary>
    /// Gradient with respect to the logits of Σ_s ν^{π}(s) c(s) for a fixed state function c (the ∇_φ ν term of
    /// the D3 hypergradient and of the variance minimisation): with x = G c,
    /// ∂/∂φ(s,b) = γ ν(s) π(b|s) [Σ_{s1} P(s1|s,b) x(s1) − Σ_a π(a|s) Σ_{s1} P(s1|s,a) x(s1)].
    /// </summary>
    public void NuWeightedGradient(ReadOnlySpan<double> c, Span<double> dest)
    {
        int ns = Mdp.StateCount;
        int na = Mdp.ActionCount;
        double[] x = c.ToArray();
        _lu.Solve(x);
        ReadOnlySpan<double> p = Mdp.Transitions;
        double gamma = Mdp.Gamma;
        Span<double> px = stackalloc double[na];
        for (int s = 0; s < ns; s++)
        {
            double mean = 0;
            for (int b = 0; b < na; b++)
            {
                px[b] = FixedOrder.Dot(p.Slice((s * na + b) * ns, ns), x);
                mean += Pi[s * na + b] * px[b];
            }

            for (int b = 0; b < na; b++)
            {
                dest[s * na + b] = gamma * Nu[s] * Pi[s * na + b] * (px[b] - mean);
            }
        }
    }

    /// <summary>
    /// Exact Hessian-vector product of J(π_θ) at this policy (needs exact Q): dest = ∇²J v, the directional
    /// derivative of ∇J = ν π A / (1 − γ) along v, with dπ = J_softmax v, dV = G Σ_a dπ Q, dQ = γ P dV,
    /// dν = γ Gᵀ (dP^π)ᵀ ν. Used by MAML's exact meta-gradient (Appendix H).
    /// </summary>
    public void PolicyGradientHvp(ReadOnlySpan<double> v, Span<double> dest)
    {
        if (IsEstimated)
        {
            throw new InvalidOperationException("the exact Hessian-vector product needs the exact Q.");
        }

        int ns = Mdp.StateCount;
        int na = Mdp.ActionCount;
        ReadOnlySpan<double> p = Mdp.Transitions;
        double gamma = Mdp.Gamma;
        double[] dPi = new double[ns * na];
        for (int s = 0; s < ns; s++)
        {
            TabularSoftmax.JacobianTimes(Pi.AsSpan(s * na, na), v.Slice(s * na, na), dPi.AsSpan(s * na, na));
        }

        double[] dV = new double[ns];
        double[] q = new double[ns];
        for (int s = 0; s < ns; s++)
        {
            double acc = 0;
            for (int a = 0; a < na; a++)
            {
                int sa = s * na + a;
                acc += dPi[sa] * Q[sa];
                if (dPi[sa] != 0)
                {
                    ReadOnlySpan<double> row = p.Slice(sa * ns, ns);
                    for (int t = 0; t < ns; t++)
                    {
                        q[t] += Nu[s] * dPi[sa] * row[t];
                    }
                }
            }

            dV[s] = acc;
        }

        _lu.Solve(dV);
        _lu.SolveTransposed(q);
        double c = 1.0 / (1 - gamma);
        for (int sa = 0; sa < ns * na; sa++)
        {
            int s = sa / na;
            double dQ = gamma * FixedOrder.Dot(p.Slice(sa * ns, ns), dV);
            double dA = dQ - dV[s];
            double dNu = gamma * q[s];
            dest[sa] = c * (dNu * Pi[sa] * A[sa] + Nu[s] * dPi[sa] * A[sa] + Nu[s] * Pi[sa] * dA);
        }
    }
}
