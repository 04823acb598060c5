using BoMrl.Numerics;
using BoMrl.Tabular;

namespace BoMrl.Tests.Tabular;

/// <summary>Random small MDPs and a float64 central-difference harness for the tabular tests.</summary>
internal static class TabularTestKit
{
    /// <summary>Seed of the random instances; override with BOMRL_TEST_SEED to explore other draws.</summary>
    public static long Seed { get; } = long.TryParse(Environment.GetEnvironmentVariable("BOMRL_TEST_SEED"), out long s) ? s : 20240611;

    /// <summary>A random MDP: dense random P (Dirichlet-like), rewards in [−1, 1], γ ∈ [0.5, 0.9], ρ with full support.</summary>
    public static TabularMdp RandomMdp(int states, int actions, Random rng, double? gamma = null)
    {
        double[] p = new double[states * actions * states];
        double[] r = new double[p.Length];
        for (int sa = 0; sa < states * actions; sa++)
        {
            double sum = 0;
            for (int t = 0; t < states; t++)
            {
                double x = -Math.Log(1 - rng.NextDouble());
                x = x * x; // sharper distributions than uniform Dirichlet
                p[sa * states + t] = x;
                sum += x;
            }

            for (int t = 0; t < states; t++)
            {
                p[sa * states + t] /= sum;
                r[sa * states + t] = 2 * rng.NextDouble() - 1;
            }
        }

        double[] rho = new double[states];
        double rs = 0;
        for (int s = 0; s < states; s++)
        {
            rho[s] = 0.2 + rng.NextDouble();
            rs += rho[s];
        }

        for (int s = 0; s < states; s++)
        {
            rho[s] /= rs;
        }

        return new TabularMdp(states, actions, gamma ?? (0.5 + 0.4 * rng.NextDouble()), p, r, rho);
    }

    /// <summary>Random logits with entries N(0, scale²).</summary>
    public static double[] RandomLogits(int n, Random rng, double scale = 1.0)
    {
        double[] x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = scale * rng.NextGaussian();
        }

        return x;
    }

    /// <summary>∇f(x) by the library's fourth-order central differences with the absolute step h on every coordinate.</summary>
    public static double[] FiniteDifferenceGradient(Func<double[], double> f, double[] x, double h = 1e-4)
    {
        double[] g = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            g[i] = FiniteDifference.Partial(f, x, i, h);
        }

        return g;
    }

    /// <summary>‖a − b‖₂ / max(‖b‖₂, 1e-12).</summary>
    public static double RelativeError(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.Length; i++)
        {
            num += (a[i] - b[i]) * (a[i] - b[i]);
            den += b[i] * b[i];
        }

        return Math.Sqrt(num) / Math.Max(Math.Sqrt(den), 1e-12);
    }
}
