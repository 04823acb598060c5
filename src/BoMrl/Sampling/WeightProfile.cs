namespace BoMrl.Sampling;

/// <summary>
/// How much of the weights an estimator hands to eq. (7) (the batch's advantage column) is a function of the time step
/// alone: the per-time-step mean m_t over the episodes that reach t, the weights' standard deviation, and the share of
/// their variance the time step explains, Σ_t n_t (m_t − m̄)² / Σ (w − m̄)² (the R² of a regression on one indicator
/// per time step). A weight that depends on t only, such as the truncation profile r̄(1 − γ^{H−t})/(1 − γ) of a
/// Monte-Carlo Q̂ cut at the horizon, scores 1 and moves every sampled action of a step alike
/// (docs/meta-learning.md, "The truncation profile").
/// </summary>
/// <param name="Std">Population standard deviation of the weights over the batch's valid steps.</param>
/// <param name="TimeExplained">Fraction of the variance explained by the per-time-step mean (0 when the weights are constant).</param>
/// <param name="StepMeans">m_t for t = 0 … horizon − 1 (0 where no episode reaches t).</param>
/// <param name="StepCounts">n_t, the number of episodes whose step t is valid.</param>
public sealed record WeightProfile(double Std, double TimeExplained, double[] StepMeans, int[] StepCounts)
{
    /// <summary>Root mean square of the per-time-step mean over the valid steps, √(Σ_t n_t m_t² / Σ_t n_t): the size of the time profile itself.</summary>
    public double StepMeanRms
    {
        get
        {
            double squares = 0;
            long n = 0;
            for (int t = 0; t < StepMeans.Length; t++)
            {
                squares += StepCounts[t] * StepMeans[t] * StepMeans[t];
                n += StepCounts[t];
            }

            return n == 0 ? 0 : Math.Sqrt(squares / n);
        }
    }

    /// <summary>The profile of <see cref="TrajectoryBatch.Advantages"/> of <paramref name="batch"/> (as an estimator left it).</summary>
    public static WeightProfile Of(TrajectoryBatch batch) => Of(batch, batch?.Advantages);

    /// <summary>The profile of <paramref name="weights"/> (one per step, padded like <paramref name="batch"/>) over the valid steps.</summary>
    public static WeightProfile Of(TrajectoryBatch batch, ReadOnlySpan<double> weights)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int h = batch.Horizon;
        if (weights.Length != batch.Episodes * h)
        {
            throw new ArgumentException("one weight per (episode, step) expected", nameof(weights));
        }

        var means = new double[h];
        var counts = new int[h];
        double sum = 0;
        int n = 0;

        // Sums in a fixed order (episode by episode, step by step): the same bits on every machine (design.md §9).
        for (int e = 0; e < batch.Episodes; e++)
        {
            for (int t = 0; t < batch.Lengths[e]; t++)
            {
                double w = weights[e * h + t];
                means[t] += w;
                counts[t]++;
                sum += w;
                n++;
            }
        }

        if (n == 0)
        {
            return new WeightProfile(0, 0, means, counts);
        }

        double mean = sum / n;
        double total = 0;
        for (int e = 0; e < batch.Episodes; e++)
        {
            for (int t = 0; t < batch.Lengths[e]; t++)
            {
                double d = weights[e * h + t] - mean;
                total += d * d;
            }
        }

        double between = 0;
        for (int t = 0; t < h; t++)
        {
            if (counts[t] > 0)
            {
                means[t] /= counts[t];
                double d = means[t] - mean;
                between += counts[t] * d * d;
            }
        }

        double explained = total > 0 ? Math.Min(1.0, between / total) : 0;
        return new WeightProfile(Math.Sqrt(total / n), explained, means, counts);
    }
}
