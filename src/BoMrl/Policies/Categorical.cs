using BoMrl.Numerics;
namespace BoMrl.Policies;

/// <summary>
/// Categorical distribution over K actions parameterised per state by logits z (π = softmax(z), the
/// function-approximation softmax policy of docs/design.md §1). Actions are stored as their index (one double).
/// </summary>
public sealed class Categorical : IActionDistribution
{
    /// <summary>A categorical distribution over <paramref name="actionCount"/> actions.</summary>
    public Categorical(int actionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(actionCount, 2);
        ActionCount = actionCount;
    }

    /// <summary>Number of actions K.</summary>
    public int ActionCount { get; }

    /// <inheritdoc/>
    public int ParameterSize => ActionCount;

    /// <inheritdoc/>
    public int ActionSize => 1;

    /// <inheritdoc/>
    public int NoiseSize => 1;

    /// <summary>log-sum-exp of row r's logits (strided), stable.</summary>
    private double LogSumExp(ReadOnlySpan<double> z, int rows, int r)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < ActionCount; k++)
        {
            max = Math.Max(max, z[k * rows + r]);
        }

        double s = 0;
        for (int k = 0; k < ActionCount; k++)
        {
            s += PortableMath.Exp(z[k * rows + r] - max);
        }

        return max + PortableMath.Log(s);
    }

    private int Index(double action)
    {
        int k = (int)action;
        if (k < 0 || k >= ActionCount || k != action)
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Categorical action must be an index in [0, K).");
        }

        return k;
    }

    /// <inheritdoc/>
    public void LogProb(ReadOnlySpan<double> dist, ReadOnlySpan<double> actions, int rows, Span<double> logp)
    {
        for (int r = 0; r < rows; r++)
        {
            logp[r] = dist[Index(actions[r]) * rows + r] - LogSumExp(dist, rows, r);
        }
    }

    /// <inheritdoc/>
    public void AddLogProbGradient(ReadOnlySpan<double> dist, ReadOnlySpan<double> actions, int rows, ReadOnlySpan<double> coef,
        Span<double> dDist)
    {
        for (int r = 0; r < rows; r++)
        {
            double lse = LogSumExp(dist, rows, r);
            int a = Index(actions[r]);
            for (int k = 0; k < ActionCount; k++)
            {
                double pk = PortableMath.Exp(dist[k * rows + r] - lse);
                dDist[k * rows + r] += coef[r] * ((k == a ? 1.0 : 0.0) - pk); // ∂ log π_a / ∂z_k = 1[k=a] − π_k
            }
        }
    }

    /// <inheritdoc/>
    public void Kl(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, Span<double> kl)
    {
        for (int r = 0; r < rows; r++)
        {
            kl[r] = RowKl(p, q, rows, r, LogSumExp(p, rows, r), LogSumExp(q, rows, r));
        }
    }

    /// <summary>KL(p‖q) of row r from logits, given both rows' log-sum-exp.</summary>
    private double RowKl(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, int r, double lseP, double lseQ)
    {
        double s = 0;
        for (int k = 0; k < ActionCount; k++)
        {
            double logPk = p[k * rows + r] - lseP;
            s += PortableMath.Exp(logPk) * (logPk - (q[k * rows + r] - lseQ));
        }

        return s;
    }

    /// <inheritdoc/>
    public void AddKlGradient(ReadOnlySpan<double> p, ReadOnlySpan<double> q, int rows, ReadOnlySpan<double> coef, Span<double> dP,
        Span<double> dQ)
    {
        for (int r = 0; r < rows; r++)
        {
            double lseP = LogSumExp(p, rows, r), lseQ = LogSumExp(q, rows, r);
            double kl = RowKl(p, q, rows, r, lseP, lseQ);

            for (int k = 0; k < ActionCount; k++)
            {
                double logPk = p[k * rows + r] - lseP, logQk = q[k * rows + r] - lseQ;
                double pk = PortableMath.Exp(logPk);
                if (!dP.IsEmpty)
                {
                    dP[k * rows + r] += coef[r] * pk * (logPk - logQk - kl); // ∂KL/∂zp_k = p_k (log p_k − log q_k − KL)
                }

                if (!dQ.IsEmpty)
                {
                    dQ[k * rows + r] += coef[r] * (PortableMath.Exp(logQk) - pk); // ∂KL/∂zq_k = q_k − p_k
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Entropy(ReadOnlySpan<double> dist, int rows, Span<double> h)
    {
        for (int r = 0; r < rows; r++)
        {
            double lse = LogSumExp(dist, rows, r);
            double s = 0;
            for (int k = 0; k < ActionCount; k++)
            {
                double logPk = dist[k * rows + r] - lse;
                s -= PortableMath.Exp(logPk) * logPk;
            }

            h[r] = s;
        }
    }

    /// <inheritdoc/>
    public void AddEntropyGradient(ReadOnlySpan<double> dist, int rows, ReadOnlySpan<double> coef, Span<double> dDist)
    {
        for (int r = 0; r < rows; r++)
        {
            double lse = LogSumExp(dist, rows, r);
            double entropy = 0;
            for (int k = 0; k < ActionCount; k++)
            {
                double logPk = dist[k * rows + r] - lse;
                entropy -= PortableMath.Exp(logPk) * logPk;
            }

            for (int k = 0; k < ActionCount; k++)
            {
                double logPk = dist[k * rows + r] - lse;
                dDist[k * rows + r] -= coef[r] * PortableMath.Exp(logPk) * (logPk + entropy); // ∂H/∂z_k = −p_k (log p_k + H)
            }
        }
    }

    /// <inheritdoc/>
    public void Sample(ReadOnlySpan<double> dist, int rows, ReadOnlySpan<double> noise, Span<double> actions)
    {
        for (int r = 0; r < rows; r++)
        {
            double lse = LogSumExp(dist, rows, r);
            double u = noise[r], cumulative = 0;
            int chosen = ActionCount - 1; // guards against u ≥ Σ p after rounding
            for (int k = 0; k < ActionCount; k++)
            {
                cumulative += PortableMath.Exp(dist[k * rows + r] - lse);
                if (u < cumulative)
                {
                    chosen = k;
                    break;
                }
            }

            actions[r] = chosen;
        }
    }

    /// <inheritdoc/>
    public void DrawNoise(Random rng, Span<double> noise) => noise[0] = rng.NextDouble();
}
