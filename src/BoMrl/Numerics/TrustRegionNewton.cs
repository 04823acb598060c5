
namespace BoMrl.Numerics;

/// <summary>Outcome of a trust-region Newton minimisation: value and gradient norm (2-norm) at the end, iterations, convergence.</summary>
public sealed record TrustRegionResult(double Value, double GradientNorm, int Iterations, bool Converged);

/// <summary>
/// Trust-region Newton–CG minimisation with exact Hessian-vector products (Nocedal &amp; Wright, Algorithms 4.1 and 7.2,
/// Steihaug's CG): each step approximately minimises the quadratic model inside a ball, following a direction of
/// negative curvature to the boundary when CG meets one, so iterates move away from saddles and the method converges
/// to points where the Hessian is positive semi-definite (up to the CG accuracy). Used to bring the inner problem (7)
/// to a maximiser, where eq. (8)'s implicit-function solve needs −∇²L positive definite.
/// </summary>
public static class TrustRegionNewton
{
    /// <summary>
    /// Minimises f from <paramref name="x"/> (updated in place) until ‖∇f‖₂ ≤ <paramref name="gradientTolerance"/> or
    /// <paramref name="maxIterations"/> outer iterations. <paramref name="hessianAt"/>(x) returns v ↦ ∇²f(x)·v.
    /// </summary>
    public static TrustRegionResult Minimize(GradientObjective f, Func<double[], LinearOperator> hessianAt, Span<double> x,
        double gradientTolerance, int maxIterations, int cgIterations = 20, double initialRadius = 1.0)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(hessianAt);
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cgIterations);
        int n = x.Length;
        double[] xs = x.ToArray(), g = new double[n], p = new double[n], trial = new double[n], gTrial = new double[n];
        double[] r = new double[n], d = new double[n], hd = new double[n];
        double radius = initialRadius, fx = Finite(f(xs, g)), gNorm = FixedOrder.Norm(g);
        int it = 0;
        for (; it < maxIterations && gNorm > gradientTolerance; it++)
        {
            LinearOperator h = hessianAt(xs);
            double model = Steihaug(h, g, radius, cgIterations, p, r, d, hd); // predicted decrease −m(p) ≥ 0
            FixedOrder.Add(xs, p, trial);
            double fTrial = f(trial, gTrial);
            double actual = fx - fTrial, rho = double.IsFinite(fTrial) && model > 0 ? actual / model : -1;
            double pNorm = FixedOrder.Norm(p);
            if (rho < 0.25)
            {
                radius = 0.25 * pNorm;
            }
            else if (rho > 0.75 && pNorm >= 0.99 * radius)
            {
                radius *= 2;
            }

            if (rho > 0.1)
            {
                trial.CopyTo(xs, 0);
                gTrial.CopyTo(g, 0);
                fx = fTrial;
                gNorm = FixedOrder.Norm(g);
            }

            if (radius < 1e-12 * (1 + FixedOrder.Norm(xs)))
            {
                break; // no representable progress
            }
        }

        xs.CopyTo(x);
        return new TrustRegionResult(fx, gNorm, it, gNorm <= gradientTolerance);
    }

    /// <summary>
    /// Steihaug's CG for min gᵀp + ½pᵀHp subject to ‖p‖ ≤ radius: writes p and returns the predicted decrease −m(p).
    /// </summary>
    private static double Steihaug(LinearOperator h, double[] g, double radius, int maxIterations, double[] p, double[] r, double[] d,
        double[] hd)
    {
        Array.Clear(p);
        FixedOrder.Negate(g, r);
        r.CopyTo(d, 0);
        double rr = FixedOrder.Dot(r, r), stop = 1e-2 * Math.Sqrt(rr);
        for (int j = 0; j < maxIterations; j++)
        {
            h(d, hd);
            double curvature = FixedOrder.Dot(d, hd);
            if (!double.IsFinite(curvature))
            {
                throw new NumericalFailureException("Trust-region Newton: non-finite Hessian-vector product.");
            }

            if (curvature <= 0)
            {
                ToBoundary(p, d, radius);
                break;
            }

            double alpha = rr / curvature;
            double pd = FixedOrder.Dot(p, d), dd = FixedOrder.Dot(d, d), pp = FixedOrder.Dot(p, p);
            if (pp + 2 * alpha * pd + alpha * alpha * dd >= radius * radius)
            {
                ToBoundary(p, d, radius);
                break;
            }

            FixedOrder.MultiplyAdd(d, alpha, p, p);
            FixedOrder.MultiplyAdd(hd, -alpha, r, r);
            double rrNew = FixedOrder.Dot(r, r);
            if (Math.Sqrt(rrNew) <= stop)
            {
                break;
            }

            FixedOrder.MultiplyAdd(d, rrNew / rr, r, d);
            rr = rrNew;
        }

        // −m(p) = −gᵀp − ½pᵀHp, with one more product.
        h(p, hd);
        return -FixedOrder.Dot(g, p) - 0.5 * FixedOrder.Dot(p, hd);
    }

    /// <summary>p ← p + τd with τ ≥ 0 such that ‖p + τd‖ = radius.</summary>
    private static void ToBoundary(double[] p, double[] d, double radius)
    {
        double pd = FixedOrder.Dot(p, d), dd = FixedOrder.Dot(d, d), pp = FixedOrder.Dot(p, p);
        double tau = (-pd + Math.Sqrt(Math.Max(0, pd * pd + dd * (radius * radius - pp)))) / dd;
        FixedOrder.MultiplyAdd(d, tau, p, p);
    }

    private static double Finite(double v) =>
        double.IsFinite(v) ? v : throw new NumericalFailureException($"Trust-region Newton: the objective is not finite at the start ({v}).");
}
