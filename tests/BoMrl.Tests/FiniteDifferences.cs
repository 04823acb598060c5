using BoMrl.Numerics;

namespace BoMrl.Tests;

/// <summary>
/// The tests' side of every gradient check: the library's fourth-order stencils (<see cref="FiniteDifference"/>,
/// error O(h⁴), so relative errors of 1e-6 and below are resolvable) with a step scaled to each coordinate, plus a
/// Hessian built from function values only (independent of any gradient code).
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>Default step: with O(h⁴) truncation and O(ε/h) rounding, h ≈ 5e-4 balances both near 1e-12.</summary>
    public const double DefaultStep = 5e-4;

    private static double StepFor(double xi, double h) => h * Math.Max(1.0, Math.Abs(xi));

    /// <summary>∂f/∂x_i by the five-point stencil with the step h·max(1, |x_i|).</summary>
    public static double Partial(Func<double[], double> f, double[] x, int i, double h = DefaultStep) =>
        FiniteDifference.Partial(f, x, i, StepFor(x[i], h));

    /// <summary>∇f(x), coordinate by coordinate.</summary>
    public static double[] Gradient(Func<double[], double> f, double[] x, double h = DefaultStep)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            g[i] = Partial(f, x, i, h);
        }

        return g;
    }

    /// <summary>Directional derivative d/dt f(x + t·v) at t = 0 (five-point stencil).</summary>
    public static double Directional(Func<double[], double> f, double[] x, double[] v, double h = DefaultStep)
    {
        double[] y = new double[x.Length];
        return FiniteDifference.Derivative(t =>
        {
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = x[i] + t * v[i];
            }

            return f(y);
        }, h);
    }

    /// <summary>Jacobian–vector product d/dt F(x + t·v) of a vector function (five-point stencil).</summary>
    public static double[] Directional(Func<double[], double[]> f, double[] x, double[] v, double h = DefaultStep)
    {
        double[] y = new double[x.Length];
        double[] Eval(double t)
        {
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = x[i] + t * v[i];
            }

            return f(y);
        }

        double[] p1 = Eval(h), m1 = Eval(-h), p2 = Eval(2 * h), m2 = Eval(-2 * h);
        var d = new double[p1.Length];
        FiniteDifference.Central(p1, m1, p2, m2, h, d);
        return d;
    }

    /// <summary>
    /// The full Hessian from function values only: the five-point first-derivative stencil applied in both
    /// coordinates (16 evaluations per entry), the five-point second-derivative stencil on the diagonal.
    /// </summary>
    public static double[,] Hessian(Func<double[], double> f, double[] x, double h = 2e-3)
    {
        int n = x.Length;
        var hess = new double[n, n];
        double[] y = (double[])x.Clone();
        double f0 = f(x);
        for (int i = 0; i < n; i++)
        {
            double hi = StepFor(x[i], h);
            hess[i, i] = FiniteDifference.SecondDerivative(di =>
            {
                Array.Copy(x, y, n);
                y[i] += di;
                return f(y);
            }, f0, hi);
            for (int j = i + 1; j < n; j++)
            {
                double hj = StepFor(x[j], h);
                hess[i, j] = hess[j, i] = FiniteDifference.Derivative(di => FiniteDifference.Derivative(dj =>
                {
                    Array.Copy(x, y, n);
                    y[i] += di;
                    y[j] += dj;
                    return f(y);
                }, hj), hi);
            }
        }

        return hess;
    }

    /// <summary>‖a − b‖₂ / max(‖a‖₂, ‖b‖₂): the relative error every check reports.</summary>
    public static double RelativeError(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Length mismatch.");
        }

        double diff = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        double scale = Math.Sqrt(Math.Max(na, nb));
        return scale == 0 ? 0 : Math.Sqrt(diff) / scale;
    }
}

/// <summary>
/// The seed of randomised tests: printed in every assertion message, overridable with the BOMRL_TEST_SEED
/// environment variable to reproduce a failure.
/// </summary>
internal static class TestSeed
{
    /// <summary>The seed in effect.</summary>
    public static long Value { get; } =
        long.TryParse(Environment.GetEnvironmentVariable("BOMRL_TEST_SEED"), out long s) ? s : 20240917;

    /// <summary>A generator for one test stream.</summary>
    public static Random Rng(params long[] indices) => BoMrl.Numerics.Seeds.Rng(Value, indices);

    /// <summary>Suffix for assertion messages.</summary>
    public static string Note => $" (seed {Value}; set BOMRL_TEST_SEED to override)";
}
