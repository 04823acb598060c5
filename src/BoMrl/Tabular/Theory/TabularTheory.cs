using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Tabular.Adaptation;

namespace BoMrl.Tabular.Theory;

/// <summary>The minimiser of E_τ[D²_{τ,i}(π_φ, π*_τ)] over φ and its value Var_i (Section 5.4, Appendix N.2–N.3).</summary>
public sealed record TaskVariance(double Variance, double[] Center, bool Converged);

/// <summary>
/// The quantities of the optimality analysis (Section 5.4, Theorems 3–4, Appendix N; docs/design.md §6), computed for a
/// finite set of tabular tasks standing for P(Γ):
/// <list type="bullet">
/// <item>π*_τ: the optimal softmax policy with parameters in the box [−B, B] (<see cref="ValueIteration.BoundedOptimalLogits"/>).
/// Rows of absorbing states do not affect any return; π*_τ is optimal whatever they are, and the bound holds for
/// every optimal π*_τ, so they are taken equal to π_φ's rows: absorbing states contribute no distance.</item>
/// <item>ε = (1 − γ) min_τ min_{s non-absorbing} ρ_τ(s): the Assumption 2 constant that holds for every policy
/// (Remark 1 (ii): ν^π(s) ≥ (1 − γ)ρ(s)). Absorbing states have A ≡ 0, so they never enter the lemmas.</item>
/// <item>A_max: an upper bound on |A^π(s,a)| over all policies (Assumption 1), from the optimal and pessimal values:
/// r + γPV_min − V_max ≤ A^π ≤ r + γPV_max − V_min.</item>
/// <item>A'_max = max |A^{π_φ'}| at the centre φ' (Appendix N.3), Var_i = min_φ E_τ[D²_{τ,i}(π_φ, π*_τ)].</item>
/// <item>Bound (proof of Theorem 3 / 4, docs/design.md §6): (κ/(1−γ) + λ/(1−γ)) · Var_i with κ = 2γA/((1−γ)ε) for D1/D2 and
/// κ = 4γL₁²A/((1−γ)ε) for D3 (tabular L₁ = 1); it is proven for λ ≥ κ (<see cref="LambdaCondition"/>), which is
/// also the condition of the monotonic improvement argument of Section 5.4.</item>
/// </list>
/// </summary>
public static class TabularTheory
{
    /// <summary>Default bound B of the comparator's parameters: the greedy probability is ≥ e^{2B}/(e^{2B} + |A| − 1).</summary>
    public const double DefaultParameterBound = 5.0;

    /// <summary>ε = (1 − γ) · min over tasks and non-absorbing states of ρ(s).</summary>
    public static double Epsilon(IEnumerable<TabularMdp> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double eps = double.PositiveInfinity;
        foreach (TabularMdp t in tasks)
        {
            for (int s = 0; s < t.StateCount; s++)
            {
                if (!t.IsAbsorbing(s))
                {
                    eps = Math.Min(eps, (1 - t.Gamma) * t.InitialDistribution[s]);
                }
            }
        }

        return eps;
    }

    /// <summary>Upper bound on max |A^π(s,a)| over all policies and the given tasks (Assumption 1).</summary>
    public static double AdvantageBound(IEnumerable<TabularMdp> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double bound = 0;
        foreach (TabularMdp t in tasks)
        {
            double[] vMax = ValueIteration.OptimalValues(t);
            double[] vMin = ValueIteration.PessimalValues(t);
            int ns = t.StateCount;
            int na = t.ActionCount;
            for (int sa = 0; sa < t.PairCount; sa++)
            {
                int s = sa / na;
                ReadOnlySpan<double> row = t.Transitions.Slice(sa * ns, ns);
                double hi = t.Rewards[sa] + t.Gamma * FixedOrder.Dot(row, vMax) - vMin[s];
                double lo = t.Rewards[sa] + t.Gamma * FixedOrder.Dot(row, vMin) - vMax[s];
                bound = Math.Max(bound, Math.Max(hi, -lo));
            }
        }

        return bound;
    }

    /// <summary>max over tasks, states and actions of |A^{π_φ}(s,a)|.</summary>
    public static double MaxAbsAdvantage(IEnumerable<TabularMdp> tasks, ReadOnlySpan<double> phi)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double m = 0;
        foreach (TabularMdp t in tasks)
        {
            foreach (double a in PolicyEvaluation.OfLogits(t, phi).A)
            {
                m = Math.Max(m, Math.Abs(a));
            }
        }

        return m;
    }

    /// <summary>
    /// D²_{τ,i}(π_φ, π*) over the non-absorbing states of τ: D1 Σ_s ν^{π_φ}(s) KL(π_φ(·|s) ‖ π*(·|s)), D2 with the
    /// KL reversed, D3 Σ_s ‖θ*(s,·) − φ(s,·)‖². With <paramref name="gradient"/> non-empty, adds ∇_φ to it (including
    /// the dependence of ν^{π_φ} on φ).
    /// </summary>
    public static double SquaredDistance(Distance distance, TabularMdp task, ReadOnlySpan<double> phi, ReadOnlySpan<double> thetaStar,
        Span<double> gradient, double gradientScale = 1.0)
    {
        ArgumentNullException.ThrowIfNull(task);
        int ns = task.StateCount;
        int na = task.ActionCount;
        bool withGrad = !gradient.IsEmpty;
        if (distance == Distance.Euclidean)
        {
            double sum = 0;
            for (int s = 0; s < ns; s++)
            {
                if (task.IsAbsorbing(s))
                {
                    continue;
                }

                for (int a = 0; a < na; a++)
                {
                    double d = phi[s * na + a] - thetaStar[s * na + a];
                    sum += d * d;
                    if (withGrad)
                    {
                        gradient[s * na + a] += gradientScale * 2 * d;
                    }
                }
            }

            return sum;
        }

        PolicyEvaluation eval = PolicyEvaluation.OfLogits(task, phi);
        double[] c = new double[ns];
        double total = 0;
        Span<double> logPi = stackalloc double[na];
        Span<double> logStar = stackalloc double[na];
        Span<double> piStar = stackalloc double[na];
        for (int s = 0; s < ns; s++)
        {
            if (task.IsAbsorbing(s))
            {
                continue;
            }

            ReadOnlySpan<double> pi = eval.Pi.AsSpan(s * na, na);
            TabularSoftmax.LogProbabilities(phi.Slice(s * na, na), logPi);
            TabularSoftmax.LogProbabilities(thetaStar.Slice(s * na, na), logStar);
            TabularSoftmax.Row(thetaStar.Slice(s * na, na), piStar);
            double kl = 0;
            double meanL = 0;
            for (int a = 0; a < na; a++)
            {
                double l = logPi[a] - logStar[a];
                kl += distance == Distance.KlForward ? pi[a] * l : -piStar[a] * l;
                meanL += pi[a] * l;
            }

            c[s] = kl;
            total += eval.Nu[s] * kl;
            if (withGrad)
            {
                for (int a = 0; a < na; a++)
                {
                    // D1: ∂KL(π‖π*)/∂φ_b = π_b (ℓ_b − Σ π ℓ), ℓ = log π − log π*;  D2: ∂KL(π*‖π)/∂φ_b = π_b − π*_b.
                    double dkl = distance == Distance.KlForward
                        ? pi[a] * (logPi[a] - logStar[a] - meanL)
                        : pi[a] - piStar[a];
                    gradient[s * na + a] += gradientScale * eval.Nu[s] * dkl;
                }
            }
        }

        if (withGrad)
        {
            double[] g = new double[gradient.Length];
            eval.NuWeightedGradient(c, g);
            for (int i = 0; i < g.Length; i++)
            {
                gradient[i] += gradientScale * g[i];
            }
        }

        return total;
    }

    /// <summary>
    /// Var_i = min_φ mean_τ D²_{τ,i}(π_φ, π*_τ) and its minimiser. D3: closed form (per state the mean of θ*_τ over the
    /// tasks where the state is not absorbing). D1/D2: L-BFGS (gradient tolerance 1e-9) from the policy that mixes the
    /// π*_τ (a local minimiser: ν^{π_φ} makes the problem non-convex; any φ gives a valid bound, the minimum the best).
    /// </summary>
    public static TaskVariance Variance(Distance distance, IReadOnlyList<TabularMdp> tasks, IReadOnlyList<double[]> thetaStar)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(thetaStar);
        if (tasks.Count == 0 || tasks.Count != thetaStar.Count)
        {
            throw new ArgumentException("one comparator per task, at least one task");
        }

        int ns = tasks[0].StateCount;
        int na = tasks[0].ActionCount;
        int n = ns * na;
        double[] start = new double[n];
        double[] pis = new double[na];
        Span<double> row = stackalloc double[na];
        for (int s = 0; s < ns; s++)
        {
            int count = 0;
            Array.Clear(pis);
            for (int t = 0; t < tasks.Count; t++)
            {
                if (tasks[t].IsAbsorbing(s))
                {
                    continue;
                }

                count++;
                if (distance == Distance.Euclidean)
                {
                    for (int a = 0; a < na; a++)
                    {
                        pis[a] += thetaStar[t][s * na + a];
                    }
                }
                else
                {
                    TabularSoftmax.Row(thetaStar[t].AsSpan(s * na, na), row);
                    for (int a = 0; a < na; a++)
                    {
                        pis[a] += row[a];
                    }
                }
            }

            for (int a = 0; a < na && count > 0; a++)
            {
                start[s * na + a] = distance == Distance.Euclidean ? pis[a] / count : PortableMath.Log(pis[a] / count);
            }
        }

        double Objective(ReadOnlySpan<double> phi, Span<double> grad)
        {
            grad.Clear();
            double f = 0;
            for (int t = 0; t < tasks.Count; t++)
            {
                f += SquaredDistance(distance, tasks[t], phi, thetaStar[t], grad, 1.0 / tasks.Count) / tasks.Count;
            }

            return f;
        }

        if (distance == Distance.Euclidean)
        {
            return new TaskVariance(Objective(start, new double[n]), start, true);
        }

        LbfgsResult r = Lbfgs.Minimize(Objective, start, gradientTolerance: 1e-9, maxIterations: 2000);
        return new TaskVariance(r.Value, r.X, r.Converged);
    }

    /// <summary>
    /// κ: the smallest λ for which the bound's proof (and the monotonic-improvement lemma) applies. For D3 solved per
    /// state (eq. 1) the per-state optimality only yields the ν-weighted penalty Σ_s ν(s)‖θ_s − φ_s‖², so the proof
    /// needs λ·min ν ≥ κ, i.e. κ/ε.
    /// </summary>
    public static double LambdaCondition(Distance distance, double gamma, double advantageBound, double epsilon,
        EuclideanWeighting weighting = EuclideanWeighting.Visitation)
    {
        double factor = distance == Distance.Euclidean ? 4.0 : 2.0; // D3: 4γL₁²A, tabular L₁ = 1
        double kappa = factor * gamma * advantageBound / ((1 - gamma) * epsilon);
        return distance == Distance.Euclidean && weighting == EuclideanWeighting.PerState ? kappa / epsilon : kappa;
    }

    /// <summary>The TEOG bound (κ + λ)/(1 − γ) · Var_i (proof of Theorems 3 and 4).</summary>
    public static double Bound(Distance distance, double lambda, double gamma, double advantageBound, double epsilon, double variance)
    {
        if (!double.IsFinite(lambda) || lambda <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(lambda));
        }

        // For D3 the κ of the lemma (4γA/((1−γ)ε)) enters, whatever the weighting; see LambdaCondition for its λ condition.
        return (LambdaCondition(distance, gamma, advantageBound, epsilon) + lambda) / (1 - gamma) * variance;
    }
}
