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
}
