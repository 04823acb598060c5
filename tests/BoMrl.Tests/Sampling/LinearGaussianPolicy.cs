using BoMrl.Numerics;
using BoMrl.Policies;

namespace BoMrl.Tests.Sampling;

/// <summary>
/// Test-only policy: a ~ N(W·o + b, diag(exp(2·logσ))); θ = (W row-major (act×obs), b, logσ).
/// Each row's action depends only on that row's observation and noise.
/// </summary>
internal sealed class LinearGaussianPolicy(int observationSize, int actionSize) : IStochasticPolicy
{
    public int ObservationSize { get; } = observationSize;

    public int ActionSize { get; } = actionSize;

    public int ParameterCount => ActionSize * ObservationSize + 2 * ActionSize;

    public int NoisePerRow => ActionSize;

    public int ScratchSize(int rows) => 0;

    public void DrawNoise(Random rng, Span<double> noise)
    {
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = rng.NextGaussian();
        }
    }

    public void SampleActions(ReadOnlySpan<double> theta, ReadOnlySpan<double> observations, int rows,
        ReadOnlySpan<double> noise, Span<double> actions, Span<double> scratch)
    {
        int n = ObservationSize;
        int m = ActionSize;
        ReadOnlySpan<double> w = theta[..(m * n)];
        ReadOnlySpan<double> b = theta.Slice(m * n, m);
        ReadOnlySpan<double> logStd = theta.Slice(m * n + m, m);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> o = observations.Slice(r * n, n);
            for (int k = 0; k < m; k++)
            {
                double mu = b[k];
                for (int i = 0; i < n; i++)
                {
                    mu += w[k * n + i] * o[i];
                }

                actions[r * m + k] = mu + Math.Exp(logStd[k]) * noise[r * m + k];
            }
        }
    }

    public double[] InitialParameters(Random rng)
    {
        var theta = new double[ParameterCount];
        for (int i = 0; i < ActionSize * ObservationSize; i++)
        {
            theta[i] = 0.1 * rng.NextGaussian();
        }

        return theta;
    }

    /// <summary>A policy that heads for <paramref name="goal"/> (a = gain·(goal − o)) with log-std <paramref name="logStd"/>.</summary>
    public static double[] Homing(double gain, double[] goal, double logStd) =>
        [-gain, 0, 0, -gain, gain * goal[0], gain * goal[1], logStd, logStd];
}
