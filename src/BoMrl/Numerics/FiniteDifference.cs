namespace BoMrl.Numerics;

/// <summary>
/// Fourth-order central finite differences in float64 (truncation error O(h⁴)), the reference side of every gradient
/// check: the library's hypergradient check and the tests' harness both use these stencils.
/// </summary>
public static class FiniteDifference
{
    /// <summary>
    /// The five-point first-derivative stencil f'(0) ≈ (8(f(h) − f(−h)) − (f(2h) − f(−2h))) / (12h) from its four
    /// values (this grouping of the sums is the one the recorded Frozen Lake checks were computed with).
    /// </summary>
    public static double Central(double plusH, double minusH, double plus2H, double minus2H, double h) =>
        (8 * (plusH - minusH) - (plus2H - minus2H)) / (12 * h);

    /// <summary>
    /// The five-point stencil elementwise for a vector function: <paramref name="derivative"/>[i] =
    /// <see cref="Central(double, double, double, double, double)"/> of the i-th entries. May alias any input.
    /// </summary>
    public static void Central(ReadOnlySpan<double> plusH, ReadOnlySpan<double> minusH, ReadOnlySpan<double> plus2H,
        ReadOnlySpan<double> minus2H, double h, Span<double> derivative)
    {
        for (int i = 0; i < derivative.Length; i++)
        {
            derivative[i] = Central(plusH[i], minusH[i], plus2H[i], minus2H[i], h);
        }
    }

    /// <summary>d/dt f(t) at t = 0 by the five-point stencil (evaluates f at h, −h, 2h, −2h in that order).</summary>
    public static double Derivative(Func<double, double> f, double h)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Central(f(h), f(-h), f(2 * h), f(-2 * h), h);
    }

    /// <summary>
    /// ∂f/∂x_i by the five-point stencil with the absolute step <paramref name="h"/>; f receives a scratch copy of x
    /// whose i-th entry is x_i + d (it must not keep it).
    /// </summary>
    public static double Partial(Func<double[], double> f, ReadOnlySpan<double> x, int i, double h)
    {
        ArgumentNullException.ThrowIfNull(f);
        double[] y = x.ToArray();
        double xi = x[i];
        return Derivative(d =>
        {
            y[i] = xi + d;
            return f(y);
        }, h);
    }

    /// <summary>
    /// f''(0) by the five-point second-derivative stencil (−f(2h) + 16f(h) − 30f(0) + 16f(−h) − f(−2h)) / (12h²),
    /// given f(0).
    /// </summary>
    public static double SecondDerivative(Func<double, double> f, double f0, double h)
    {
        ArgumentNullException.ThrowIfNull(f);
        return (-f(2 * h) + 16 * f(h) - 30 * f0 + 16 * f(-h) - f(-2 * h)) / (12 * h * h);
    }
}
