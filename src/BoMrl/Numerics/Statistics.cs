namespace BoMrl.Numerics;

/// <summary>Summary statistics shared by every meta-test and report.</summary>
public static class Statistics
{
    /// <summary>Standard error of the mean, √(Σ(x − x̄)² / (n − 1) / n); 0 when n &lt; 2.</summary>
    public static double StandardError(ReadOnlySpan<double> values)
    {
        int n = values.Length;
        if (n < 2)
        {
            return 0;
        }

        double mean = 0;
        foreach (double v in values)
        {
            mean += v;
        }

        mean /= n;
        double ss = 0;
        foreach (double v in values)
        {
            ss += (v - mean) * (v - mean);
        }

        return Math.Sqrt(ss / (n - 1) / n);
    }

    /// <summary>Paired over seeds: the mean and <see cref="StandardError"/> of each seed's difference between two runs.</summary>
    public static (double Mean, double Stderr) Paired(IEnumerable<double> differences)
    {
        double[] d = [.. differences];
        return (d.Average(), StandardError(d));
    }

    /// <summary>Whether a mean exceeds two of its standard errors (a study's "meta-learns" / "adapts" criterion).</summary>
    public static bool AboveTwoStandardErrors((double Mean, double Stderr) x) => x.Mean > 2 * x.Stderr;

    /// <summary>
    /// Pointwise over several series (one per seed): the mean and <see cref="StandardError"/> of element k across the
    /// series, for k up to the shortest series' length.
    /// </summary>
    public static (double[] Mean, double[] Stderr) Pointwise(IReadOnlyList<double[]> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        int n = series.Min(s => s.Length);
        var mean = new double[n];
        var se = new double[n];
        var column = new double[series.Count];
        for (int k = 0; k < n; k++)
        {
            for (int s = 0; s < series.Count; s++)
            {
                column[s] = series[s][k];
            }

            mean[k] = column.Average();
            se[k] = StandardError(column);
        }

        return (mean, se);
    }
}
