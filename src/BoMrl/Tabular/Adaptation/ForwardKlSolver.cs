using BoMrl.Numerics;

namespace BoMrl.Tabular.Adaptation;

/// <summary>
/// D1 (forward KL) within-task adaptation of the tabular softmax policy, one state at a time (eq. (1) with
/// d1²(π_φ, π, s) = KL(π_φ(·|s) ‖ π(·|s))): the closed form π'(a|s) = λ π_φ(a|s) / (μ(s) − Q(s,a)).
/// </summary>
public static class ForwardKlSolver
{
    /// <summary>
    /// D1 closed form for one state (docs/design.md §3a): π'(a) = λ π_φ(a) / (μ − q_a) with the unique μ &gt; max q making it a
    /// distribution. With δ = μ − max q, f(δ) = Σ λπ_a/(δ + d_a) − 1 (d_a = max q − q_a) is convex and decreasing,
    /// f(λ π_{argmax}) ≥ 0 ≥ f(λ); Newton from the left bracket increases monotonically to the root, with a bisection
    /// fallback (in log space while the bracket is wide), to |Δδ| ≤ 1e-15·δ. Returns μ.
    /// </summary>
    public static double Solve(ReadOnlySpan<double> piPhi, ReadOnlySpan<double> q, double lambda, Span<double> piPrime)
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
}
