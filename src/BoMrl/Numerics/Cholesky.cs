namespace BoMrl.Numerics;

/// <summary>
/// Cholesky factorisation A = L Lᵀ of a small symmetric positive definite matrix (row-major, float64, n×n), with a
/// test for positive definiteness: the Newton and implicit-differentiation solves of the tabular D3 adaptation use it
/// both to solve and to check that a Hessian is negative definite (a strict maximum). <see cref="DenseLu"/> is the
/// general solver beside it.
/// </summary>
public static class Cholesky
{
    /// <summary>
    /// Writes the lower-triangular factor L of <paramref name="a"/> into <paramref name="l"/> (strict upper triangle
    /// zero); reads only the diagonal and lower triangle of a. Returns false (l then partial) when a pivot is not
    /// positive and finite, i.e. a is not numerically positive definite. Must not alias.
    /// </summary>
    public static bool TryFactor(ReadOnlySpan<double> a, int n, Span<double> l)
    {
        l.Clear();
        for (int j = 0; j < n; j++)
        {
            double d = a[j * n + j];
            for (int k = 0; k < j; k++)
            {
                d -= l[j * n + k] * l[j * n + k];
            }

            if (!(d > 0) || !double.IsFinite(d))
            {
                return false;
            }

            double ljj = Math.Sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++)
            {
                double sum = a[i * n + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i * n + k] * l[j * n + k];
                }

                l[i * n + j] = sum / ljj;
            }
        }

        return true;
    }

    /// <summary>Solves L Lᵀ x = b by forward and back substitution. <paramref name="x"/> may alias <paramref name="b"/>.</summary>
    public static void Solve(ReadOnlySpan<double> l, int n, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
            {
                s -= l[i * n + k] * x[k];
            }

            x[i] = s / l[i * n + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < n; k++)
            {
                s -= l[k * n + i] * x[k];
            }

            x[i] = s / l[i * n + i];
        }
    }
}
