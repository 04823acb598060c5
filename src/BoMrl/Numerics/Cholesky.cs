namespace BoMrl.Numerics;

/// <summary>
/// Dense Cholesky factorisation A = L·Lᵀ of a small symmetric positive-definite matrix (row-major, n×n) and the
/// solve A·x = b. Used for ridge-regularised normal equations (the linear feature baseline).
/// </summary>
public static class Cholesky
{
    /// <summary>
    /// Solves A·x = b for symmetric positive-definite A (only the lower triangle is read). Writes x into
    /// <paramref name="x"/> and returns true; returns false, leaving x unspecified, when a pivot is not positive and
    /// finite (A not numerically positive definite) or x is not finite. <paramref name="factor"/> (n×n) receives L;
    /// spans must not alias.
    /// </summary>
    public static bool TrySolve(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> x, Span<double> factor, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        if (a.Length < n * n || factor.Length < n * n || b.Length < n || x.Length < n)
        {
            throw new ArgumentException("spans shorter than n×n / n");
        }

        Span<double> l = factor[..(n * n)];
        l.Clear();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i * n + k] * l[j * n + k];
                }

                if (i == j)
                {
                    // A pivot that is not strictly positive (or is NaN) means A is not numerically positive definite.
                    if (!(sum > 0) || !double.IsFinite(sum))
                    {
                        return false;
                    }

                    l[i * n + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i * n + j] = sum / l[j * n + j];
                }
            }
        }

        // Forward substitution L·y = b (y stored in x), then back substitution Lᵀ·x = y.
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[i * n + k] * x[k];
            }

            x[i] = sum / l[i * n + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= l[k * n + i] * x[k];
            }

            x[i] = sum / l[i * n + i];
            if (!double.IsFinite(x[i]))
            {
                return false;
            }
        }

        return true;
    }
}
