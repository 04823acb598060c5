using BoMrl.Numerics;

namespace BoMrl.Tabular;

/// <summary>
/// Value iteration on a <see cref="TabularMdp"/>: the optimal Q* (max over actions), the pessimal value (min over
/// actions, for the advantage bound A_max of Assumption 1), and the optimal softmax policy within the box
/// ‖θ‖∞ ≤ B (the comparator π*_τ of Section 5.4, docs/design.md §6).
/// </summary>
public static class ValueIteration
{
    /// <summary>Sup-norm tolerance of the Bellman fixed point; γ-contraction gives error ≤ tol·γ/(1−γ).</summary>
    public const double Tolerance = 1e-13;

    /// <summary>Optimal state values V*(s) = max_a Q*(s, a).</summary>
    public static double[] OptimalValues(TabularMdp mdp)
    {
        Iterate(mdp, static q => Max(q), out double[] v);
        return v;
    }

    /// <summary>Pessimal state values V_min(s) = min over policies of V^π(s) (Bellman with min over actions).</summary>
    public static double[] PessimalValues(TabularMdp mdp)
    {
        Iterate(mdp, static q => -Max(q, negate: true), out double[] v);
        return v;
    }

    /// <summary>
    /// The optimal softmax policy with parameters in the box [−B, B]^{|S||A|}. Per state the best value of
    /// Σ_a softmax(θ)_a q_a over the box is attained with θ_a = +B for the k actions of largest q and −B for the
    /// rest (stationarity: ∂/∂θ_a = π_a (q_a − ⟨π, q⟩) has the sign of q_a − ⟨π, q⟩), so the constrained Bellman
    /// operator maximises over k = 1..|A|; the policy class is a product over states, so its fixed point is optimal
    /// for every state at once. Rows of absorbing states are 0 (irrelevant: their advantage is 0).
    /// </summary>
    public static double[] BoundedOptimalLogits(TabularMdp mdp, double bound)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        if (!double.IsFinite(bound) || bound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bound), bound, "the parameter bound B must be positive and finite.");
        }

        int na = mdp.ActionCount;
        double hi = 1.0;
        double lo = PortableMath.Exp(-2 * bound); // weights e^{±B} scaled by e^{−B}
        int[] order = new int[na];
        double[] sorted = new double[na];
        Iterate(mdp, q => BestTopK(q, hi, lo, order, sorted, out _), out double[] v);
        double[] theta = new double[mdp.PairCount];
        double[] qRow = new double[na];
        for (int s = 0; s < mdp.StateCount; s++)
        {
            if (mdp.IsAbsorbing(s))
            {
                continue;
            }

            Backup(mdp, v, s, qRow);
            BestTopK(qRow, hi, lo, order, sorted, out int k);
            for (int a = 0; a < na; a++)
            {
                theta[s * na + a] = -bound;
            }

            for (int i = 0; i < k; i++)
            {
                theta[s * na + order[i]] = bound;
            }
        }

        return theta;
    }

    /// <summary>Best value over the top-k configurations; order receives actions sorted by decreasing q.</summary>
    private static double BestTopK(ReadOnlySpan<double> q, double hi, double lo, int[] order, double[] sorted, out int bestK)
    {
        int na = q.Length;
        for (int a = 0; a < na; a++)
        {
            order[a] = a;
            sorted[a] = -q[a];
        }

        Array.Sort(sorted, order); // stable enough: ties keep an arbitrary but deterministic order
        double best = double.NegativeInfinity;
        bestK = 1;
        double sumTop = 0;
        double sumAll = 0;
        foreach (double x in q)
        {
            sumAll += x;
        }

        for (int k = 1; k <= na; k++)
        {
            sumTop += q[order[k - 1]];
            double value = (hi * sumTop + lo * (sumAll - sumTop)) / (hi * k + lo * (na - k));
            if (value > best)
            {
                best = value;
                bestK = k;
            }
        }

        return best;
    }

    private static double Max(ReadOnlySpan<double> q, bool negate = false)
    {
        double m = double.NegativeInfinity;
        foreach (double x in q)
        {
            m = Math.Max(m, negate ? -x : x);
        }

        return m;
    }

    private delegate double RowOperator(ReadOnlySpan<double> qRow);

    private static void Backup(TabularMdp mdp, ReadOnlySpan<double> v, int s, Span<double> qRow)
    {
        int ns = mdp.StateCount;
        int na = mdp.ActionCount;
        ReadOnlySpan<double> p = mdp.Transitions;
        ReadOnlySpan<double> r = mdp.Rewards;
        for (int a = 0; a < na; a++)
        {
            int sa = s * na + a;
            qRow[a] = r[sa] + mdp.Gamma * FixedOrder.Dot(p.Slice(sa * ns, ns), v);
        }
    }

    private static double[] Iterate(TabularMdp mdp, RowOperator op, out double[] values)
    {
        ArgumentNullException.ThrowIfNull(mdp);
        int ns = mdp.StateCount;
        int na = mdp.ActionCount;
        double[] v = new double[ns];
        double[] vNew = new double[ns];
        double[] q = new double[ns * na];
        // γ^k shrinks the error; the cap allows γ up to ~0.999 at tolerance 1e-13 before reporting failure.
        int maxIterations = (int)Math.Ceiling(PortableMath.Log(1e-16) / PortableMath.Log(mdp.Gamma)) + 100;
        for (int it = 0; it < maxIterations; it++)
        {
            double diff = 0;
            for (int s = 0; s < ns; s++)
            {
                Span<double> row = q.AsSpan(s * na, na);
                Backup(mdp, v, s, row);
                vNew[s] = op(row);
                diff = Math.Max(diff, Math.Abs(vNew[s] - v[s]));
            }

            (v, vNew) = (vNew, v);
            if (!double.IsFinite(diff))
            {
                throw new NumericalFailureException("value iteration: non-finite values.");
            }

            if (diff <= Tolerance)
            {
                for (int s = 0; s < ns; s++)
                {
                    Backup(mdp, v, s, q.AsSpan(s * na, na));
                }

                values = v;
                return q;
            }
        }

        throw new NumericalFailureException($"value iteration did not reach {Tolerance:G2} in {maxIterations} sweeps.");
    }
}
