using BoMrl.Distances;
using BoMrl.Numerics;
using BoMrl.Tabular;

namespace BoMrl.Adaptation;

/// <summary>How the within-task objective treats the importance-weighted return term of (2).</summary>
public enum Surrogate
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
    /// DESIGN §3a, eq. (2) with f_θ = θ: max_θ Σ_s ν^{π_φ}(s) ⟨π_θ(·|s), Q(s,·)⟩ − λ‖θ − φ‖²; per state the effective
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
/// The within-task algorithm Alg(π_φ, λ, τ) for the tabular softmax policy (Section 4, eq. 1; DESIGN §3a, §3c):
/// θ' = argmax_θ E_{s~ν^{π_φ}}[Σ_a π_θ(a|s) Q^{π_φ}(s,a)] − λ D²_τ(π_φ, π_θ), given φ, Q^{π_φ} (exact or estimated)
/// and ν^{π_φ}. One component configured by a <see cref="Distance"/> and a <see cref="Surrogate"/>:
/// <list type="bullet">
/// <item>D1 (forward KL): π'(a|s) = λ π_φ(a|s) / (μ(s) − Q(s,a)), μ(s) > max_a Q by a safeguarded Newton solve.</item>
/// <item>D2 (reverse KL): π'(a|s) ∝ π_φ(a|s) exp(Q(s,a)/λ), i.e. θ' = φ + Q/λ.</item>
/// <item>D3 (Euclidean on θ): per state, max ν(s)⟨softmax θ_s, Q_s⟩ − λ‖θ_s − φ_s‖² by damped Newton to ‖∇‖∞ ≤ 1e-12
/// (the ν-weighted form separates over states because the penalty does).</item>
/// <item>First-order + D3: θ' = φ + (1/(2λ)) ν π ⊙ A = φ + (1 − γ)/(2λ) ∇J(π_φ), a policy-gradient step (MAML).</item>
/// </list>
/// Returns logits θ' (for D1 θ' = log π'). Immutable; thread-safe.
/// </summary>
public sealed class TabularAdaptation
{
    /// <summary>Gradient tolerance of the D3 solve (DESIGN §3a).</summary>
    public const double EuclideanTolerance = 1e-12;

    /// <summary>The distance D.</summary>
    public Distance Distance { get; }

    /// <summary>The regularisation weight λ &gt; 0.</summary>
    public double Lambda { get; }

    /// <summary>Exact or first-order surrogate.</summary>
    public Surrogate Surrogate { get; }

    /// <summary>State weighting of the D3 problem (ignored by D1/D2, whose per-state problems do not depend on ν).</summary>
    public EuclideanWeighting Weighting { get; }

    /// <summary>Creates Alg with distance, λ and surrogate. The first-order surrogate is supported with D3 only.</summary>
    public TabularAdaptation(Distance distance, double lambda, Surrogate surrogate = Surrogate.Exact,
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

        if (surrogate == Surrogate.FirstOrder && distance != Distance.Euclidean)
        {
            throw new ArgumentException("the first-order surrogate is implemented with D3 (the policy-gradient step); " +
                "with D1/D2 it needs the second-order expansion of the distance (NPG), which the tabular toolkit does not use.",
                nameof(surrogate));
        }

        if (surrogate == Surrogate.FirstOrder && weighting != EuclideanWeighting.Visitation)
        {
            throw new ArgumentException("the policy-gradient step is the visitation-weighted first-order problem (Appendix H).", nameof(weighting));
        }

        Distance = distance;
        Lambda = lambda;
        Surrogate = surrogate;
        Weighting = weighting;
    }

    /// <summary>The state weight of the D3 return term: ν^{π_φ}(s), or 1 per state.</summary>
    public double StateWeight(PolicyEvaluation atPhi, int state) =>
        Weighting == EuclideanWeighting.PerState ? 1.0 : atPhi.Nu[state];

    /// <summary>
    /// MAML's inner step θ' = φ + α ∇_φ J_τ(π_φ) as this component: first-order surrogate with D3 and
    /// λ = (1 − γ)/(2α) (Appendix H).
    /// </summary>
    public static TabularAdaptation PolicyGradientStep(double stepSize, double gamma)
    {
        if (!double.IsFinite(stepSize) || stepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "the step size must be positive and finite.");
        }

        return new TabularAdaptation(Distance.Euclidean, (1 - gamma) / (2 * stepSize), Surrogate.FirstOrder);
    }

    /// <summary>For a policy-gradient configuration, the step size α on ∇J it equals: (1 − γ)/(2λ).</summary>
    public double PolicyGradientStepSize(double gamma) => (1 - gamma) / (2 * Lambda);

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
            if (Surrogate == Surrogate.FirstOrder)
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
                    for (int a = 0; a < na; a++)
                    {
                        outS[a] = phiS[a] + qS[a] / Lambda;
                    }

                    break;
                case Distance.KlForward:
                    ForwardKlClosedForm(piS, qS, Lambda, piPrime);
                    for (int a = 0; a < na; a++)
                    {
                        outS[a] = Math.Log(piPrime[a]);
                    }

                    break;
                default:
                    EuclideanSolve(phiS, qS, StateWeight(atPhi, s), Lambda, outS);
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

    /// <summary>
    /// D1 closed form for one state (DESIGN §3a): π'(a) = λ π_φ(a) / (μ − q_a) with the unique μ &gt; max q making it a
    /// distribution. With δ = μ − max q, f(δ) = Σ λπ_a/(δ + d_a) − 1 (d_a = max q − q_a) is convex and decreasing,
    /// f(λ π_{argmax}) ≥ 0 ≥ f(λ); Newton from the left bracket increases monotonically to the root, with a bisection
    /// fallback (in log space while the bracket is wide), to |Δδ| ≤ 1e-15·δ. Returns μ.
    /// </summary>
    public static double ForwardKlClosedForm(ReadOnlySpan<double> piPhi, ReadOnlySpan<double> q, double lambda, Span<double> piPrime)
    {
        int na = q.Length;
        double qMax = double.NegativeInfinity;
        int aMax = 0;
        for (int a = 0; a < na; a++)
        {
            if (q[a] > qMax)
            {
                qMax = q[a];
                aMax = a;
            }
        }

        double lo = lambda * piPhi[aMax];
        for (int a = 0; a < na; a++)
        {
            // each term alone must not exceed 1: δ ≥ λπ_a − d_a
            lo = Math.Max(lo, lambda * piPhi[a] - (qMax - q[a]));
        }

        double hi = lambda;
        if (!(lo > 0) || !double.IsFinite(hi))
        {
            throw new NumericalFailureException($"D1 closed form: degenerate bracket (π_φ(argmax Q) = {piPhi[aMax]:G3}).");
        }

        double delta = lo;
        for (int it = 0; it < 300; it++)
        {
            double f = -1;
            double df = 0;
            for (int a = 0; a < na; a++)
            {
                double den = delta + (qMax - q[a]);
                double t = lambda * piPhi[a] / den;
                f += t;
                df -= t / den;
            }

            if (f > 0)
            {
                lo = Math.Max(lo, delta);
            }
            else
            {
                hi = Math.Min(hi, delta);
            }

            double step = f / df;
            bool converged = f == 0 || Math.Abs(step) <= 1e-15 * delta || hi - lo <= 1e-15 * hi; // f is at rounding level
            if (converged)
            {
                delta -= step; // the last Newton correction is below one ulp of δ (or zero)
                double sum = 0;
                for (int a = 0; a < na; a++)
                {
                    piPrime[a] = lambda * piPhi[a] / (delta + (qMax - q[a]));
                    sum += piPrime[a];
                }

                for (int a = 0; a < na; a++)
                {
                    piPrime[a] /= sum; // removes the last rounding of Σ = 1
                }

                return qMax + delta;
            }

            double next = delta - step;
            if (!(next > lo && next < hi) || !double.IsFinite(next))
            {
                next = 0.5 * (lo + hi); // bisection safeguard (rounding pushed Newton out of the bracket)
            }
            else if (hi > 16 * lo && next < 2 * delta && f > 0)
            {
                // Far left of a wide bracket f ≈ λπ_max/δ and Newton only doubles δ per step (π_φ(argmax Q) can be
                // 1e-200 for a peaked meta-policy): bisect in log space instead, which needs ~log2(log(hi/lo)) steps.
                next = Math.Sqrt(lo * hi);
            }

            delta = next;
        }

        throw new NumericalFailureException(
            $"D1 closed form: the multiplier μ did not converge (λ = {lambda:R}, π_φ = [{string.Join(", ", piPhi.ToArray())}], Q = [{string.Join(", ", q.ToArray())}]).");
    }

    /// <summary>D2 closed form for one state: π'(a) ∝ π_φ(a) exp(q_a/λ) (exponential tilting, via log-sum-exp).</summary>
    public static void ReverseKlClosedForm(ReadOnlySpan<double> phiRow, ReadOnlySpan<double> q, double lambda, Span<double> piPrime)
    {
        Span<double> logits = stackalloc double[q.Length];
        for (int a = 0; a < q.Length; a++)
        {
            logits[a] = phiRow[a] + q[a] / lambda;
        }

        TabularSoftmax.Row(logits, piPrime);
    }

    /// <summary>
    /// D3 for one state: θ = argmax ν⟨softmax θ, q⟩ − λ‖θ − φ‖², by Newton's method from θ = φ with Levenberg damping
    /// where the Hessian is not negative definite and backtracking that never lowers the objective (so the result is
    /// at least as good as θ = φ, which gives monotonic improvement). Converges to ‖∇‖∞ ≤ 1e-12 at a strict local
    /// maximum, else throws <see cref="NumericalFailureException"/> (the implicit hypergradient needs a strict maximum).
    /// </summary>
    public static void EuclideanSolve(ReadOnlySpan<double> phi, ReadOnlySpan<double> q, double nu, double lambda, Span<double> theta)
    {
        int na = q.Length;
        phi.CopyTo(theta);
        if (nu == 0)
        {
            return; // unvisited state: the objective is −λ‖θ − φ‖², maximised at φ
        }

        Span<double> pi = stackalloc double[na];
        Span<double> grad = stackalloc double[na];
        Span<double> hess = stackalloc double[na * na];
        Span<double> step = stackalloc double[na];
        Span<double> trial = stackalloc double[na];
        Span<double> chol = stackalloc double[na * na];
        double value = EuclideanObjective(phi, q, nu, lambda, theta, pi);
        for (int it = 0; it < 200; it++)
        {
            EuclideanDerivatives(phi, q, nu, lambda, theta, pi, grad, hess);
            double gNorm = MaxAbs(grad);
            bool negativeDefinite = TryCholeskyOfNegated(hess, na, 0, chol);
            // 1e-12 absolute, or the rounding level of the gradient's two terms when λ‖θ‖ is large.
            double tolerance = EuclideanTolerance + 8e-16 * (nu * MaxAbs(q) + 2 * lambda * (MaxAbs(theta) + MaxAbs(phi)));
            if (gNorm <= tolerance && negativeDefinite)
            {
                return;
            }

            // Levenberg damping: solve (−H + τI) step = g with the smallest τ (from 0, then growing) that makes the
            // matrix positive definite, so the step is an ascent direction even where the objective is not concave.
            double tau = 0;
            while (!TryCholeskyOfNegated(hess, na, tau, chol))
            {
                tau = tau == 0 ? 1e-8 + 1e-3 * lambda : tau * 4;
            }

            CholeskySolve(chol, na, grad, step);
            double t = 1;
            bool moved = false;
            for (int ls = 0; ls < 60; ls++)
            {
                for (int a = 0; a < na; a++)
                {
                    trial[a] = theta[a] + t * step[a];
                }

                double v = EuclideanObjective(phi, q, nu, lambda, trial, pi);
                // Near the optimum the objective no longer changes in float64; a full Newton step in a concave
                // region is then accepted on the gradient norm (quadratic convergence), otherwise require no decrease.
                if (v >= value || (tau == 0 && gNorm < 1e-7 && v >= value - 1e-15 * Math.Max(1, Math.Abs(value))))
                {
                    trial.CopyTo(theta);
                    value = Math.Max(v, value);
                    moved = true;
                    break;
                }

                t *= 0.5;
            }

            if (!moved)
            {
                break;
            }
        }

        EuclideanDerivatives(phi, q, nu, lambda, theta, pi, grad, hess);
        throw new NumericalFailureException(
            $"D3 within-task solve did not reach a strict maximum: ‖∇‖∞ = {MaxAbs(grad):G3} (λ = {lambda}, ν(s) = {nu:G3}).");
    }

    /// <summary>The D3 per-state objective ν⟨softmax θ, q⟩ − λ‖θ − φ‖²; <paramref name="pi"/> receives softmax θ.</summary>
    public static double EuclideanObjective(ReadOnlySpan<double> phi, ReadOnlySpan<double> q, double nu, double lambda,
        ReadOnlySpan<double> theta, Span<double> pi)
    {
        TabularSoftmax.Row(theta, pi);
        double dist = 0;
        for (int a = 0; a < theta.Length; a++)
        {
            dist += (theta[a] - phi[a]) * (theta[a] - phi[a]);
        }

        return nu * System.Numerics.Tensors.TensorPrimitives.Dot(pi, q) - lambda * dist;
    }

    /// <summary>
    /// Gradient and Hessian of the D3 per-state objective: g = ν π⊙(q − v) − 2λ(θ − φ),
    /// H = ν H_f − 2λI with H_f[a,c] = δ_ac π_a(q_a − v) − π_a π_c (q_a − v) − π_a π_c (q_c − v), v = ⟨π, q⟩.
    /// </summary>
    public static void EuclideanDerivatives(ReadOnlySpan<double> phi, ReadOnlySpan<double> q, double nu, double lambda,
        ReadOnlySpan<double> theta, Span<double> pi, Span<double> grad, Span<double> hess)
    {
        int na = q.Length;
        TabularSoftmax.Row(theta, pi);
        double v = System.Numerics.Tensors.TensorPrimitives.Dot(pi, q);
        for (int a = 0; a < na; a++)
        {
            grad[a] = nu * pi[a] * (q[a] - v) - 2 * lambda * (theta[a] - phi[a]);
            for (int c = 0; c < na; c++)
            {
                double h = -pi[a] * pi[c] * ((q[a] - v) + (q[c] - v));
                if (a == c)
                {
                    h += pi[a] * (q[a] - v);
                }

                hess[a * na + c] = nu * h - (a == c ? 2 * lambda : 0);
            }
        }
    }

    /// <summary>Cholesky factor L of (−H + τI) into <paramref name="l"/>; false when not positive definite.</summary>
    internal static bool TryCholeskyOfNegated(ReadOnlySpan<double> h, int n, double tau, Span<double> l)
    {
        l.Clear();
        for (int j = 0; j < n; j++)
        {
            double d = -h[j * n + j] + tau;
            for (int k = 0; k < j; k++)
            {
                d -= l[j * n + k] * l[j * n + k];
            }

            if (!(d > 0) || !double.IsFinite(d))
            {
                return false;
            }

            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                double sum = -h[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i * n + k] * l[j * n + k];
                }

                l[i * n + j] = sum / ljj;
            }
        }

        return true;
    }

    /// <summary>Solves L Lᵀ x = b.</summary>
    internal static void CholeskySolve(ReadOnlySpan<double> l, int n, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
            {
                s -= l[i * n + k] * x[k];
            }

            x[i] = s / l[i * n + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < n; k++)
            {
                s -= l[k * n + i] * x[k];
            }

            x[i] = s / l[i * n + i];
        }
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (double x in v)
        {
            m = Math.Max(m, Math.Abs(x));
        }

        return m;
    }
}
