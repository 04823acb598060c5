using BoMrl.Numerics;

namespace BoMrl.Tests;

/// <summary>
/// The batched affine kernel behind every policy forward pass gives the same sample whatever batch it is computed in
/// (the scalar-reference checks of every kernel live in CurvatureAndSolverTests).
/// </summary>
public sealed class DenseAffineTests
{
    [Fact]
    public void Affine_gives_a_sample_the_same_bits_wherever_it_sits_in_a_blocked_batch()
    {
        // Batches of 8..41 rows run 8-row blocks, then 4-row blocks, the last shifted back over done samples.
        Random rng = Seeds.Rng(33);
        const int nin = 20, nout = 8;
        double[] w = Random(rng, nout * nin), b = Random(rng, nout);
        for (int rows = 8; rows <= 41; rows++)
        {
            double[] x = Random(rng, nin * rows);
            var y = new double[nout * rows];
            Dense.Affine(w, b, x, nin, nout, rows, y);
            var x8 = new double[nin * 8];
            var y8 = new double[nout * 8];
            for (int r = 0; r < rows; r++)
            {
                // Sample r alone in the first column of an 8-row block (other columns: the next samples, cyclically).
                for (int c = 0; c < 8; c++)
                {
                    for (int k = 0; k < nin; k++)
                    {
                        x8[(k * 8) + c] = x[(k * rows) + ((r + c) % rows)];
                    }
                }

                Dense.Affine(w, b, x8, nin, nout, 8, y8);
                for (int j = 0; j < nout; j++)
                {
                    Assert.Equal(y8[j * 8], y[(j * rows) + r]);
                }
            }
        }
    }

    [Fact]
    public void Affine_agrees_across_the_small_and_large_batch_paths()
    {
        Random rng = Seeds.Rng(32);
        const int nin = 20, nout = 9, rows = 300; // one large batch
        double[] w = Random(rng, nout * nin), b = Random(rng, nout), x = Random(rng, nin * rows);
        var large = new double[nout * rows];
        Dense.Affine(w, b, x, nin, nout, rows, large);

        // The same samples in batches of 10, one column block at a time.
        const int part = 10;
        var xs = new double[nin * part];
        var ys = new double[nout * part];
        for (int r0 = 0; r0 < rows; r0 += part)
        {
            for (int k = 0; k < nin; k++)
            {
                x.AsSpan((k * rows) + r0, part).CopyTo(xs.AsSpan(k * part, part));
            }

            Dense.Affine(w, b, xs, nin, nout, part, ys);
            for (int j = 0; j < nout; j++)
            {
                for (int r = 0; r < part; r++)
                {
                    double expected = large[(j * rows) + r0 + r];
                    Assert.True(Math.Abs(ys[(j * part) + r] - expected) <= 1e-13 * (1 + Math.Abs(expected)));
                }
            }
        }
    }

    private static double[] Random(Random rng, int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (2 * rng.NextDouble()) - 1;
        }

        return v;
    }
}
