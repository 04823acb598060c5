using BoMrl.Numerics;

namespace BoMrl.Tests.Numerics;

public sealed class CholeskyTests
{
    /// <summary>A = BᵀB + n·I for a random B: symmetric positive definite and well conditioned.</summary>
    private static double[] RandomSpd(int n, Random rng)
    {
        double[] b = new double[n * n];
        for (int i = 0; i < b.Length; i++)
        {
            b[i] = rng.NextGaussian();
        }

        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = i == j ? n : 0;
                for (int k = 0; k < n; k++)
                {
                    s += b[k * n + i] * b[k * n + j];
                }

                a[i * n + j] = s;
            }
        }

        return a;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(9)]
    public void Cholesky_solves_a_random_SPD_system_and_reproduces_the_matrix(int n)
    {
        Random rng = TestSeed.Rng(41, n);
        double[] a = RandomSpd(n, rng);
        double[] l = new double[n * n];
        Assert.True(Cholesky.TryFactor(a, n, l), "SPD matrix rejected" + TestSeed.Note);

        double scale = a.Max(Math.Abs);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double llt = 0;
                for (int k = 0; k < n; k++)
                {
                    llt += l[i * n + k] * l[j * n + k];
                }

                Assert.True(Math.Abs(llt - a[i * n + j]) <= 1e-13 * scale, $"(L Lᵀ)[{i},{j}] = {llt} vs {a[i * n + j]}" + TestSeed.Note);
                if (j > i)
                {
                    Assert.Equal(0.0, l[i * n + j]);
                }
            }
        }

        double[] x = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
        double[] rhs = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                rhs[i] += a[i * n + j] * x[j];
            }
        }

        double[] solved = new double[n];
        Cholesky.Solve(l, n, rhs, solved);
        Cholesky.Solve(l, n, rhs, rhs); // in place: x may alias b
        for (int i = 0; i < n; i++)
        {
            Assert.True(Math.Abs(solved[i] - x[i]) <= 1e-12 * (1 + Math.Abs(x[i])), $"x[{i}] = {solved[i]} vs {x[i]}" + TestSeed.Note);
            Assert.Equal(solved[i], rhs[i]);
        }
    }

    [Fact]
    public void Cholesky_rejects_an_indefinite_matrix()
    {
        double[] a = [2, 1, 0, 1, -3, 0, 0, 0, 1];
        Assert.False(Cholesky.TryFactor(a, 3, new double[9]));
        Assert.False(Cholesky.TryFactor([double.NaN], 1, new double[1]));
    }
}
