namespace BoMrl.Numerics;

/// <summary>
/// LU factorisation with partial pivoting of a dense square matrix (row-major, float64), for the small
/// linear systems of the tabular toolkit (I − γP^π, Hessian blocks). Solves A x = b and Aᵀ x = b in place.
/// </summary>
public sealed class DenseLu
{
    private readonly double[] _lu;
    private readonly int[] _pivot;

    /// <summary>Order of the matrix.</summary>
    public int Size { get; }

    /// <summary>
    /// Factorises the n×n row-major <paramref name="matrix"/> (copied). Throws <see cref="NumericalFailureException"/>
    /// when a pivot is zero or non-finite, or smaller than 1e-14 times the largest entry (numerically singular).
    /// </summary>
    public DenseLu(ReadOnlySpan<double> matrix, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNotEqual(matrix.Length, n * n, nameof(matrix));
        Size = n;
        _lu = matrix.ToArray();
        _pivot = new int[n];
        double scale = 0;
        foreach (double v in _lu)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        for (int k = 0; k < n; k++)
        {
            int p = k;
            double best = Math.Abs(_lu[k * n + k]);
            for (int i = k + 1; i < n; i++)
            {
                double v = Math.Abs(_lu[i * n + k]);
                if (v > best)
                {
                    best = v;
                    p = i;
                }
            }

            // Guards against a singular system: a relative pivot this small means the solve would amplify
            // rounding by > 1e14, so the results could not be trusted to the tolerances the tests check.
            if (!double.IsFinite(best) || best <= 1e-14 * scale)
            {
                throw new NumericalFailureException($"LU: matrix of order {n} is singular or non-finite (pivot {best:G3} at column {k}).");
            }

            _pivot[k] = p;
            if (p != k)
            {
                for (int j = 0; j < n; j++)
                {
                    (_lu[p * n + j], _lu[k * n + j]) = (_lu[k * n + j], _lu[p * n + j]);
                }
            }

            double inv = 1.0 / _lu[k * n + k];
            for (int i = k + 1; i < n; i++)
            {
                double f = _lu[i * n + k] * inv;
                _lu[i * n + k] = f;
                if (f != 0)
                {
                    for (int j = k + 1; j < n; j++)
                    {
                        _lu[i * n + j] -= f * _lu[k * n + j];
                    }
                }
            }
        }
    }

    /// <summary>Overwrites <paramref name="x"/> (holding b) with the solution of A x = b.</summary>
    public void Solve(Span<double> x)
    {
        int n = Size;
        ArgumentOutOfRangeException.ThrowIfNotEqual(x.Length, n, nameof(x));
        for (int k = 0; k < n; k++)
        {
            int p = _pivot[k];
            if (p != k)
            {
                (x[k], x[p]) = (x[p], x[k]);
            }
        }

        for (int i = 1; i < n; i++)
        {
            double s = x[i];
            for (int j = 0; j < i; j++)
            {
                s -= _lu[i * n + j] * x[j];
            }

            x[i] = s;
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int j = i + 1; j < n; j++)
            {
                s -= _lu[i * n + j] * x[j];
            }

            x[i] = s / _lu[i * n + i];
        }
    }

    /// <summary>Overwrites <paramref name="x"/> (holding b) with the solution of Aᵀ x = b.</summary>
    public void SolveTransposed(Span<double> x)
    {
        int n = Size;
        ArgumentOutOfRangeException.ThrowIfNotEqual(x.Length, n, nameof(x));
        // Aᵀ = Uᵀ Lᵀ Pᵀ... with P A = L U: Aᵀ = Uᵀ Lᵀ P, so solve Uᵀ y = b, Lᵀ z = y, x = Pᵀ z.
        for (int i = 0; i < n; i++)
        {
            double s = x[i];
            for (int j = 0; j < i; j++)
            {
                s -= _lu[j * n + i] * x[j];
            }

            x[i] = s / _lu[i * n + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int j = i + 1; j < n; j++)
            {
                s -= _lu[j * n + i] * x[j];
            }

            x[i] = s;
        }

        for (int k = n - 1; k >= 0; k--)
        {
            int p = _pivot[k];
            if (p != k)
            {
                (x[k], x[p]) = (x[p], x[k]);
            }
        }
    }
}
