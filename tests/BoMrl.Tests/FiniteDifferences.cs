namespace BoMrl.Tests;

/// <summary>
/// Float64 central finite differences, the reference side of every gradient check: fourth-order stencils
/// (error O(h⁴)) so that relative errors of 1e-6 and below are resolvable, plus a Hessian built from function values
/// only (independent of any gradient code).
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>Default step: with O(h⁴) truncation and O(ε/h) rounding, h ≈ 5e-4 balances both near 1e-12.</summary>
    public const double DefaultStep = 5e-4;

    private static double StepFor(double xi, double h) => h * Math.Max(1.0, Math.Abs(xi));

    /// <summary>∂f/∂x_i by the five-point stencil (−f(+2h) + 8f(+h) − 8f(−h) + f(−2h)) / 12h.</summary>
    public static double Partial(Func<double[], double> f, double[] x, int i, double h = DefaultStep)
    {
        double hi = StepFor(x[i], h);
        double[] y = (double[])x.Clone();
        double Eval(double d)
        {
            y[i] = x[i] + d;
            return f(y);
        }

        return (-Eval(2 * hi) + 8 * Eval(hi) - 8 * Eval(-hi) + Eval(-2 * hi)) / (12 * hi);
    }

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
        double Eval(double t)
        {
            for (int i = 0; i < x.Length; i++)
            {
                y[i] = x[i] + t * v[i];
            }

            return f(y);
        }

        return (-Eval(2 * h) + 8 * Eval(h) - 8 * Eval(-h) + Eval(-2 * h)) / (12 * h);
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

        double[] p2 = Eval(2 * h), p1 = Eval(h), m1 = Eval(-h), m2 = Eval(-2 * h);
        var d = new double[p1.Length];
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = (-p2[i] + 8 * p1[i] - 8 * m1[i] + m2[i]) / (12 * h);
        }

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
        double[] c = [1.0 / 12, -8.0 / 12, 8.0 / 12, -1.0 / 12];
        double[] o = [-2, -1, 1, 2];
        double f0 = f(x);
        for (int i = 0; i < n; i++)
        {
            double hi = StepFor(x[i], h);
            double Eval1(double di)
            {
                Array.Copy(x, y, n);
                y[i] += di;
                return f(y);
            }

            hess[i, i] = (-Eval1(2 * hi) + 16 * Eval1(hi) - 30 * f0 + 16 * Eval1(-hi) - Eval1(-2 * hi)) / (12 * hi * hi);
            for (int j = i + 1; j < n; j++)
            {
                double hj = StepFor(x[j], h);
                double s = 0;
                for (int a = 0; a < 4; a++)
                {
                    for (int b = 0; b < 4; b++)
                    {
                        Array.Copy(x, y, n);
                        y[i] += o[a] * hi;
                        y[j] += o[b] * hj;
                        s += c[a] * c[b] * f(y);
                    }
                }

                hess[i, j] = hess[j, i] = s / (hi * hj);
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
