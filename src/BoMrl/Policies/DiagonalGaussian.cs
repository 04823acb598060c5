using BoMrl.Numerics;

namespace BoMrl.Policies;

/// <summary>
/// Diagonal Gaussian N(μ, diag σ²) parameterised per state by [μ_1..μ_A, log σ_1..log σ_A]. KL divergences and
/// entropies in closed form (docs/design.md §3b):
/// KL(p‖q) = Σ_i log σq_i − log σp_i + (σp_i² + (μp_i − μq_i)²) / (2σq_i²) − ½.
/// </summary>
public sealed class DiagonalGaussian : IActionDistribution
{
    private const double HalfLog2Pi = 0.91893853320467274178;

    /// <summary>A Gaussian over <paramref name="actionSize"/>-dimensional actions.</summary>
    public DiagonalGaussian(int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        ActionSize = actionSize;
    }

    /// <inheritdoc/>
    public int ParameterSize => 2 * ActionSize;

    /// <inheritdoc/>
    public int ActionSize { get; }

    /// <inheritdoc/>
    public int NoiseSize => ActionSize;

    /// <inheritdoc/>
    public void LogProb(ReadOnlySpan<double> dist, ReadOnlySpan<double> actions, int rows, Span<double> logp)
    {
        int a = ActionSize;
        logp[..rows].Fill(-a * HalfLog2Pi);
        for (int i = 0; i < a; i++)
        {
            ReadOnlySpan<double> mu = dist.Slice(i * rows, rows);
            ReadOnlySpan<double> logStd = dist.Slice((a + i) * rows, rows);
            ReadOnlySpan<double> x = actions.Slice(i * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                double z = (x[r] - mu[r]) * PortableMath.Exp(-logStd[r]);
                logp[r] -= 0.5 * z * z + logStd[r];
            }
        }
    }

    /// <inheritdoc/>
    public void AddLogProbGradient(ReadOnlySpan<double> dist, ReadOnlySpan<double> actions, int rows, ReadOnlySpan<double> coef,
        Span<double> dDist)
    {
        int a = ActionSize;
        for (int i = 0; i < a; i++)
        {
            ReadOnlySpan<double> mu = dist.Slice(i * rows, rows);
            ReadOnlySpan<double> logStd = dist.Slice((a + i) * rows, rows);
            ReadOnlySpan<double> x = actions.Slice(i * rows, rows);
            Span<double> dMu = dDist.Slice(i * rows, rows);
            Span<double> dLogStd = dDist.Slice((a + i) * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                double invVar = PortableMath.Exp(-2.0 * logStd[r]);
                double diff = x[r] - mu[r];
                dMu[r] += coef[r] * diff * invVar;                 // ∂/∂μ = (a − μ)/σ²
                dLogStd[r] += coef[r] * (diff * diff * invVar - 1.0); // ∂/∂log σ = (a − μ)²/σ² − 1
            }
        }
    }

    /// <inheritdoc/>
    public void Kl(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, Span<double> kl)
    {
        int a = ActionSize;
        kl[..rows].Clear();
        for (int i = 0; i < a; i++)
        {
            ReadOnlySpan<double> muP = p.Slice(i * rows, rows), lsP = p.Slice((a + i) * rows, rows);
            ReadOnlySpan<double> muQ = q.Slice(i * rows, rows), lsQ = q.Slice((a + i) * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                double d = muP[r] - muQ[r];
                double ratio = PortableMath.Exp(2.0 * (lsP[r] - lsQ[r]));
                kl[r] += lsQ[r] - lsP[r] + 0.5 * (ratio + d * d * PortableMath.Exp(-2.0 * lsQ[r])) - 0.5;
            }
        }
    }

    /// <inheritdoc/>
    public void AddKlGradient(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, ReadOnlySpan<double> coef, Span<double> dP,
        Span<double> dQ)
    {
        int a = ActionSize;
        bool wantP = !dP.IsEmpty, wantQ = !dQ.IsEmpty;
        for (int i = 0; i < a; i++)
        {
            ReadOnlySpan<double> muP = p.Slice(i * rows, rows), lsP = p.Slice((a + i) * rows, rows);
            ReadOnlySpan<double> muQ = q.Slice(i * rows, rows), lsQ = q.Slice((a + i) * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                double invVarQ = PortableMath.Exp(-2.0 * lsQ[r]);
                double d = muP[r] - muQ[r];
                double ratio = PortableMath.Exp(2.0 * (lsP[r] - lsQ[r]));
                double c = coef[r];
                if (wantP)
                {
                    dP[i * rows + r] += c * d * invVarQ;
                    dP[(a + i) * rows + r] += c * (ratio - 1.0);
                }

                if (wantQ)
                {
                    dQ[i * rows + r] -= c * d * invVarQ;
                    dQ[(a + i) * rows + r] += c * (1.0 - ratio - d * d * invVarQ);
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Entropy(ReadOnlySpan<double> dist, int rows, Span<double> h)
    {
        int a = ActionSize;
        h[..rows].Fill(a * (0.5 + HalfLog2Pi));
        for (int i = 0; i < a; i++)
        {
            ReadOnlySpan<double> ls = dist.Slice((a + i) * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                h[r] += ls[r];
            }
        }
    }

    /// <inheritdoc/>
    public void AddEntropyGradient(ReadOnlySpan<double> dist, int rows, ReadOnlySpan<double> coef, Span<double> dDist)
    {
        int a = ActionSize;
        for (int i = 0; i < a; i++)
        {
            Span<double> d = dDist.Slice((a + i) * rows, rows);
            for (int r = 0; r < rows; r++)
            {
                d[r] += coef[r];
            }
        }
    }

    /// <inheritdoc/>
    public void Sample(ReadOnlySpan<double> dist, int rows, ReadOnlySpan<double> noise, Span<double> actions)
    {
        int a = ActionSize;
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < a; i++)
            {
                actions[r * a + i] = dist[i * rows + r] + PortableMath.Exp(dist[(a + i) * rows + r]) * noise[r * a + i];
            }
        }
    }

    /// <inheritdoc/>
    public void DrawNoise(Random rng, Span<double> noise)
    {
        for (int i = 0; i < ActionSize; i++)
        {
            noise[i] = rng.NextGaussian();
        }
    }
}
