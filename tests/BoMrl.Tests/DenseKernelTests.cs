using BoMrl.Numerics;

namespace BoMrl.Tests;

/// <summary>The dense kernels against scalar references, with and without the vector paths.</summary>
public class DenseKernelTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dense_kernels_match_scalar_references_for_all_small_shapes(bool portableOnly)
    {
        FixedOrder.ScalarOnlyOnThisThread = portableOnly;
        try
        {
            CheckDenseKernels();
        }
        finally
        {
            FixedOrder.ScalarOnlyOnThisThread = false;
        }
    }

    private static void CheckDenseKernels()
    {
        Random rng = TestSeed.Rng(24);
        foreach (int rows in new[] { 1, 3, 4, 7, 8, 9, 17, 21 })
        {
            for (int nin = 1; nin <= 6; nin++)
            {
                for (int nout = 1; nout <= 9; nout++)
                {
                    double[] w = Rand(nout * nin), b = Rand(nout), x = Rand(nin * rows), dy = Rand(nout * rows);
                    var y = new double[nout * rows];
                    Dense.Affine(w, b, x, nin, nout, rows, y);
                    var dx = new double[nin * rows];
                    Dense.TransposedTimes(w, dy, nin, nout, rows, dx);
                    var dw = new double[nout * nin];
                    var db = new double[nout];
                    Dense.OuterSum(dy, x, nin, nout, rows, dw, db);
                    for (int r = 0; r < rows; r++)
                    {
                        for (int j = 0; j < nout; j++)
                        {
                            double s = b[j];
                            for (int k = 0; k < nin; k++)
                            {
                                s += w[j * nin + k] * x[k * rows + r];
                            }

                            Close(s, y[j * rows + r]);
                        }

                        for (int k = 0; k < nin; k++)
                        {
                            double s = 0;
                            for (int j = 0; j < nout; j++)
                            {
                                s += w[j * nin + k] * dy[j * rows + r];
                            }

                            Close(s, dx[k * rows + r]);
                        }
                    }

                    for (int j = 0; j < nout; j++)
                    {
                        double sb = 0;
                        for (int r = 0; r < rows; r++)
                        {
                            sb += dy[j * rows + r];
                        }

                        Close(sb, db[j]);
                        for (int k = 0; k < nin; k++)
                        {
                            double s = 0;
                            for (int r = 0; r < rows; r++)
                            {
                                s += dy[j * rows + r] * x[k * rows + r];
                            }

                            Close(s, dw[j * nin + k]);
                        }
                    }
                }
            }
        }

        static void Close(double expected, double actual) =>
            Assert.True(Math.Abs(expected - actual) <= 1e-12 * (1 + Math.Abs(expected)), $"{actual} vs {expected}");

        double[] Rand(int n)
        {
            var a = new double[n];
            for (int i = 0; i < n; i++)
            {
                a[i] = rng.NextGaussian();
            }

            return a;
        }
    }
}
