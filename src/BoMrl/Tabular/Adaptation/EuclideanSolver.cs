using BoMrl.Numerics;

namespace BoMrl.Tabular.Adaptation;

/// <summary>
/// D3 (Euclidean on the logits) within-task adaptation of the tabular softmax policy, one state at a time: the
/// per-state problem max_θ ν⟨softmax θ, q⟩ − λ‖θ − φ‖² (ν = ν^{π_φ}(s) or 1, see <see cref="EuclideanWeighting"/>),
/// solved by damped Newton. No closed form: the implicit hypergradient differentiates its stationarity condition.
/// </summary>
public static class EuclideanSolver
{
    /// <summary>Gradient tolerance of the D3 solve (docs/design.md §3a).</summary>
    public const double Tolerance = 1e-12;

    /// <summary>
    /// D3 for one state: θ = argmax ν⟨softmax θ, q⟩ − λ‖θ − φ‖², by Newton's method from θ = φ with Levenberg damping
    /// where the Hessian is not negative definite and backtracking that never lowers the objective (so the result is
    /// at least as good as θ = φ, which gives monotonic improvement). Converges to ‖∇‖∞ ≤ 1e-12 at a strict local
    /// maximum, else throws <see cref="NumericalFailureException"/> (the implicit hypergradient needs a strict maximum).
    /// </summary>
    public static void Solve(ReadOnlySpan<double> phi, ReadOnlySpan<double> q, double nu, double lambda, Span<double> theta)
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
        Span<double> shifted = stackalloc double[na * na];
        double value = Objective(phi, q, nu, lambda, theta, pi);
        for (int it = 0; it < 200; it++)
        {
            Derivatives(phi, q, nu, lambda, theta, pi, grad, hess);
            double gNorm = MaxAbs(grad);
            bool negativeDefinite = TryFactorNegated(hess, na, 0, shifted, chol);
            // 1e-12 absolute, or the rounding level of the gradient's two terms when λ‖θ‖ is large.
            double tolerance = Tolerance + 8e-16 * (nu * MaxAbs(q) + 2 * lambda * (MaxAbs(theta) + MaxAbs(phi)));
            if (gNorm <= tolerance && negativeDefinite)
            {
                return;
            }

            // Levenberg damping: solve (−H + τI) step = g with the smallest τ (from 0, then growing) that makes the
            // matrix positive definite, so the step is an ascent direction even where the objective is not concave.
            double tau = 0;
            while (!TryFactorNegated(hess, na, tau, shifted, chol))
            {
                tau = tau == 0 ? 1e-8 + 1e-3 * lambda : tau * 4;
            }

            Cholesky.Solve(chol, na, grad, step);
            double t = 1;
            bool moved = false;
            for (int ls = 0; ls < 60; ls++)
            {
                for (int a = 0; a < na; a++)
                {
                    trial[a] = theta[a] + t * step[a];
                }

                double v = Objective(phi, q, nu, lambda, trial, pi);
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

        Derivatives(phi, q, nu, lambda, theta, pi, grad, hess);
        throw new NumericalFailureException(
            $"D3 within-task solve did not reach a strict maximum: ‖∇‖∞ = {MaxAbs(grad):G3} (λ = {lambda}, ν(s) = {nu:G3}).");
    }

    /// <summary>The D3 per-state objective ν⟨softmax θ, q⟩ − λ‖θ − φ‖²; <paramref name="pi"/> receives softmax θ.</summary>
    public static double Objective(ReadOnlySpan<double> phi, ReadOnlySpan<double> q, double nu, double lambda,
        ReadOnlySpan<double> theta, Span<double> pi)
    {
        TabularSoftmax.Row(theta, pi);
        double dist = 0;
        for (int a = 0; a < theta.Length; a++)
        {
            dist += (theta[a] - phi[a]) * (theta[a] - phi[a]);
        }

        return nu * FixedOrder.Dot(pi, q) - lambda * dist;
    }

    /// <summary>
    /// Gradient and Hessian of the D3 per-state objective: g = ν π⊙(q − v) − 2λ(θ − φ),
    /// H = ν H_f − 2λI with H_f[a,c] = δ_ac π_a(q_a − v) − π_a π_c (q_a − v) − π_a π_c (q_c − v), v = ⟨π, q⟩.
    /// </summary>
    public static void Derivatives(ReadOnlySpan<double> phi, ReadOnlySpan<double> q, double nu, double lambda,
        ReadOnlySpan<double> theta, Span<double> pi, Span<double> grad, Span<double> hess)
    {
        int na = q.Length;
        TabularSoftmax.Row(theta, pi);
        double v = FixedOrder.Dot(pi, q);
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

    /// <summary>
    /// The Cholesky factor of −H + τI into <paramref name="l"/> (<paramref name="scratch"/> receives −H + τI); false
    /// when that matrix is not positive definite, i.e. (τ = 0) when H is not negative definite.
    /// </summary>
    internal static bool TryFactorNegated(ReadOnlySpan<double> h, int n, double tau, Span<double> scratch, Span<double> l)
    {
        for (int i = 0; i < n * n; i++)
        {
            scratch[i] = -h[i];
        }

        for (int j = 0; j < n; j++)
        {
            scratch[j * n + j] = -h[j * n + j] + tau;
        }

        return Cholesky.TryFactor(scratch, n, l);
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
