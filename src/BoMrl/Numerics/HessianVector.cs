
namespace BoMrl.Numerics;

/// <summary>Writes ∇f(x) into <paramref name="gradient"/>. Must not alias.</summary>
public delegate void GradientFunction(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>
/// Hessian–vector products (more generally, Jacobian–vector products of a vector field g) by finite differences of
/// exact gradients in float64, which docs/design.md §4c allows in place of an R-operator (and which cost the same as one:
/// an R-op pass is ~2 gradient passes). With u = v/‖v‖:
/// <list type="bullet">
/// <item>central: (g(x + εu) − g(x − εu))·‖v‖/(2ε), ε = ∛(machine ε)·(1 + ‖x‖∞): O(ε²) truncation against O(machine ε/ε)
/// rounding, ~10 correct digits; two gradient evaluations.</item>
/// <item>forward: (g(x + εu) − g(x))·‖v‖/ε with g(x) computed once by the caller, ε = √(machine ε)·(1 + ‖x‖∞): ~8 correct
/// digits; one gradient evaluation per product, which halves the cost of CG loops (hypergradient, TRPO), where
/// the same x serves every iteration.</item>
/// </list>
/// Either product is linear in v to its accuracy, which is what conjugate gradient needs.
/// </summary>
public static class HessianVector
{
    /// <summary>Relative finite-difference step ∛(2⁻⁵²).</summary>
    public const double RelativeStep = 6.0554544523933395e-6;

    /// <summary>Relative forward-difference step √(2⁻⁵²).</summary>
    public const double ForwardRelativeStep = 1.4901161193847656e-8;

    /// <summary>The central-difference step ε used at <paramref name="x"/>.</summary>
    public static double Step(ReadOnlySpan<double> x) => RelativeStep * Scale(x);

    /// <summary>
    /// 1 + ‖x‖∞, the scale the relative steps multiply. (MaxMagnitude returns the signed entry of
    /// largest magnitude, so its absolute value is taken: with an entry −1 the step would otherwise be 0.)
    /// </summary>
    private static double Scale(ReadOnlySpan<double> x) => 1.0 + Math.Abs(FixedOrder.MaxMagnitude(x));

    /// <summary>
    /// result = ∇²f(x)·v by a forward difference from <paramref name="gradientAtX"/> = ∇f(x); an empty span means
    /// ∇f(x) = 0 (x is a stationary point, e.g. the minimum of a KL divergence at the reference policy).
    /// <paramref name="scratch"/> has length ≥ n. <paramref name="gradient"/> is evaluated once.
    /// </summary>
    public static void ForwardDifference(GradientFunction gradient, ReadOnlySpan<double> x, ReadOnlySpan<double> gradientAtX,
        ReadOnlySpan<double> v, Span<double> result, Span<double> scratch)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        int n = x.Length;
        double norm = FixedOrder.Norm(v);
        if (norm == 0)
        {
            result[..n].Clear();
            return;
        }

        double eps = ForwardRelativeStep * Scale(x);
        Span<double> xs = scratch[..n];
        FixedOrder.MultiplyAdd(v, eps / norm, x, xs);
        gradient(xs, result);
        if (!gradientAtX.IsEmpty)
        {
            FixedOrder.Subtract(result[..n], gradientAtX, result);
        }

        FixedOrder.Multiply(result[..n], norm / eps, result);
    }

    /// <summary>
    /// result = ∇²f(x)·v. <paramref name="scratch"/> has length ≥ 2·n. <paramref name="gradient"/> is evaluated twice.
    /// </summary>
    public static void CentralDifference(GradientFunction gradient, ReadOnlySpan<double> x, ReadOnlySpan<double> v,
        Span<double> result, Span<double> scratch)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        int n = x.Length;
        double norm = FixedOrder.Norm(v);
        if (norm == 0)
        {
            result[..n].Clear();
            return;
        }

        double eps = Step(x);
        Span<double> xs = scratch[..n];
        Span<double> gMinus = scratch.Slice(n, n);
        double scale = eps / norm;
        FixedOrder.MultiplyAdd(v, -scale, x, xs);
        gradient(xs, gMinus);
        FixedOrder.MultiplyAdd(v, scale, x, xs);
        gradient(xs, result);
        FixedOrder.Subtract(result[..n], gMinus, result);
        FixedOrder.Multiply(result[..n], norm / (2.0 * eps), result);
    }
}
