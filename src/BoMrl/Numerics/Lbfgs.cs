namespace BoMrl.Numerics;

/// <summary>Objective for <see cref="Lbfgs"/>: returns f(x) and writes ∇f(x) into the gradient span.</summary>
public delegate double GradientObjective(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>Outcome of an L-BFGS minimisation: the minimiser, its value, gradient norm and iteration count.</summary>
public sealed record LbfgsResult(double[] X, double Value, double GradientNorm, int Iterations, bool Converged);

/// <summary>
/// Limited-memory BFGS minimisation (Nocedal &amp; Wright, Algorithm 7.4, two-loop recursion) with a backtracking
/// Armijo line search. Used as the generic optimiser for the variance minimisation of Section 5.4 and as the
/// independent reference the closed-form within-task solutions are tested against.
/// </summary>
public static class Lbfgs
{
    /// <summary>
    /// Minimises <paramref name="f"/> from <paramref name="x0"/> until ‖∇f‖∞ ≤ <paramref name="gradientTolerance"/>
    /// or <paramref name="maxIterations"/>. Non-finite values throw <see cref="NumericalFailureException"/>.
    /// </summary>
    public static LbfgsResult Minimize(GradientObjective f, ReadOnlySpan<double> x0, double gradientTolerance = 1e-10,
        int maxIterations = 1000, int memory = 10)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (!double.IsFinite(gradientTolerance) || gradientTolerance <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gradientTolerance), "must be positive and finite");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxIterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(memory);
        int n = x0.Length;
        double[] x = x0.ToArray();
        double[] g = new double[n];
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        double[] d = new double[n];
        double[][] s = new double[memory][];
        double[][] y = new double[memory][];
        double[] rho = new double[memory];
        double[] alpha = new double[memory];
        for (int i = 0; i < memory; i++)
        {
            s[i] = new double[n];
            y[i] = new double[n];
        }

        double fx = Check(f(x, g), "value at the start");
        int stored = 0;
        int head = 0;
        int iter = 0;
        for (; iter < maxIterations; iter++)
        {
            if (MaxAbs(g) <= gradientTolerance)
            {
                return new LbfgsResult(x, fx, MaxAbs(g), iter, true);
            }

            // Two-loop recursion: d = −H g.
            for (int i = 0; i < n; i++)
            {
                d[i] = -g[i];
            }

            for (int k = 0; k < stored; k++)
            {
                int j = ((head - 1 - k) % memory + memory) % memory;
                alpha[j] = rho[j] * Dot(s[j], d);
                Axpy(-alpha[j], y[j], d);
            }

            if (stored > 0)
            {
                int last = ((head - 1) % memory + memory) % memory;
                double gammaScale = Dot(s[last], y[last]) / Dot(y[last], y[last]);
                for (int i = 0; i < n; i++)
                {
                    d[i] *= gammaScale;
                }
            }

            for (int k = stored - 1; k >= 0; k--)
            {
                int j = ((head - 1 - k) % memory + memory) % memory;
                double beta = rho[j] * Dot(y[j], d);
                Axpy(alpha[j] - beta, s[j], d);
            }

            double slope = Dot(g, d);
            if (!(slope < 0))
            {
                // The quasi-Newton direction is not a descent direction (memory out of date): restart from −g.
                for (int i = 0; i < n; i++)
                {
                    d[i] = -g[i];
                }

                slope = Dot(g, d);
                stored = 0;
            }

            double step = stored == 0 ? Math.Min(1.0, 1.0 / Math.Max(MaxAbs(g), 1e-300)) : 1.0;
            double fNew = 0;
            bool accepted = false;
            for (int ls = 0; ls < 60; ls++)
            {
                for (int i = 0; i < n; i++)
                {
                    xNew[i] = x[i] + step * d[i];
                }

                fNew = f(xNew, gNew);
                if (double.IsFinite(fNew) && fNew <= fx + 1e-4 * step * slope)
                {
                    accepted = true;
                    break;
                }

                step *= 0.5;
            }

            if (!accepted)
            {
                // No decrease representable in float64 along a descent direction: we are at the minimum to
                // machine precision (or the objective is not smooth). Report without claiming convergence.
                return new LbfgsResult(x, fx, MaxAbs(g), iter, MaxAbs(g) <= Math.Sqrt(gradientTolerance));
            }

            Check(fNew, "value in the line search");
            double[] sk = s[head];
            double[] yk = y[head];
            for (int i = 0; i < n; i++)
            {
                sk[i] = xNew[i] - x[i];
                yk[i] = gNew[i] - g[i];
            }

            double sy = Dot(sk, yk);
            // Curvature condition: only pairs with sᵀy > 0 keep the inverse-Hessian approximation positive definite.
            if (sy > 1e-300)
            {
                rho[head] = 1.0 / sy;
                head = (head + 1) % memory;
                stored = Math.Min(stored + 1, memory);
            }

            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            fx = fNew;
        }

        return new LbfgsResult(x, fx, MaxAbs(g), iter, MaxAbs(g) <= gradientTolerance);
    }

    private static double Check(double v, string what) =>
        double.IsFinite(v) ? v : throw new NumericalFailureException($"L-BFGS: non-finite objective {what}.");

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        FixedOrder.Dot(a, b);

    private static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (double e in v)
        {
            m = Math.Max(m, Math.Abs(e));
        }

        return m;
    }
}
