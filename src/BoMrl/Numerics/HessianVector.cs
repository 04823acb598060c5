using System.Numerics.Tensors;

namespace BoMrl.Numerics;

/// <summary>Writes ∇f(x) into <paramref name="gradient"/>. Must not alias.</summary>
public delegate void GradientFunction(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>
/// Hessian–vector products by central differences of exact gradients in float64 (DESIGN §4c allows this in place
/// of an R-operator): ∇²f(x)·v ≈ (∇f(x + εu) − ∇f(x − εu))·‖v‖/(2ε) with u = v/‖v‖. The step ε = ∛(machine ε)·(1 + ‖x‖∞)
/// balances the O(ε²) truncation error against the O(machine ε/ε) rounding error, giving ~10 correct digits for
/// smooth (tanh, Gaussian, softmax) objectives; the product is linear in v up to that accuracy, which is what
/// conjugate gradient needs. Cost: two gradient evaluations.
/// </summary>
public static class HessianVector
{
    /// <summary>Relative finite-difference step ∛(2⁻⁵²).</summary>
    public const double RelativeStep = 6.0554544523933395e-6;

    /// <summary>The step ε used at <paramref name="x"/>.</summary>
    public static double Step(ReadOnlySpan<double> x) => RelativeStep * (1.0 + TensorPrimitives.MaxMagnitude(x));

    /// <summary>
    /// result = ∇²f(x)·v. <paramref name="scratch"/> has length ≥ 2·n. <paramref name="gradient"/> is evaluated twice.
    /// </summary>
    public static void CentralDifference(GradientFunction gradient, ReadOnlySpan<double> x, ReadOnlySpan<double> v,
        Span<double> result, Span<double> scratch)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        int n = x.Length;
        double norm = TensorPrimitives.Norm(v);
        if (norm == 0)
        {
            result[..n].Clear();
            return;
        }

        double eps = Step(x);
        Span<double> xs = scratch[..n];
        Span<double> gMinus = scratch.Slice(n, n);
        double scale = eps / norm;
        TensorPrimitives.MultiplyAdd(v, -scale, x, xs);
        gradient(xs, gMinus);
        TensorPrimitives.MultiplyAdd(v, scale, x, xs);
        gradient(xs, result);
        TensorPrimitives.Subtract(result[..n], gMinus, result);
        TensorPrimitives.Multiply(result[..n], norm / (2.0 * eps), result);
    }
}
