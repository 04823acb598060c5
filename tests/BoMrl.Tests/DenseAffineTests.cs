using BoMrl.Numerics;

namespace BoMrl.Tests;

/// <summary>
/// The batched affine kernel behind every policy forward pass: the register-blocked path the sampler's small batches
/// take and the streaming path of large batches both compute b_j + Σ_k w_jk·x_k in input order.
/// </summary>
public sealed class DenseAffineTests
{
    [Fact]
    public void Affine_equals_the_scalar_sum_in_input_order_bitwise_for_every_small_batch_shape()
    {
        Random rng = Seeds.Rng(31);
        int[] ins = [1, 3, 7, 20, 64];
        int[] outs = [1, 2, 3, 4, 5, 6, 9, 64];
        for (int rows = 0; rows <= 41; rows++)
        {
            foreach (int nin in ins)
            {
                foreach (int nout in outs)
                {
                    foreach (bool bias in new[] { true, false })
                    {
                        double[] w = Random(rng, nout * nin), b = bias ? Random(rng, nout) : [], x = Random(rng, nin * rows);
                        // Padding around y must stay untouched (the overlapping last vector writes inside y only).
                        var y = new double[(nout * rows) + 2];
                        y[0] = y[^1] = 7.0;
                        Dense.Affine(w, b, x, nin, nout, rows, y.AsSpan(1, nout * rows));
                        Assert.Equal(7.0, y[0]);
                        Assert.Equal(7.0, y[^1]);
                        for (int j = 0; j < nout; j++)
                        {
                            for (int r = 0; r < rows; r++)
                            {
                                double s = bias ? b[j] : 0.0;
                                for (int k = 0; k < nin; k++)
                                {
                                    s += w[(j * nin) + k] * x[(k * rows) + r];
                                }

                                Assert.Equal(s, y[1 + (j * rows) + r]);
                            }
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Affine_agrees_across_the_small_and_large_batch_paths()
    {
        Random rng = Seeds.Rng(32);
        const int nin = 20, nout = 9, rows = 300; // above BlockedAffineMaxRows: the streaming path
        double[] w = Random(rng, nout * nin), b = Random(rng, nout), x = Random(rng, nin * rows);
        var large = new double[nout * rows];
        Dense.Affine(w, b, x, nin, nout, rows, large);

        // The same samples in batches of 10 (the blocked path), one column block at a time.
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
