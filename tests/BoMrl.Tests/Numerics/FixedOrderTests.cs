using System.Text.RegularExpressions;
using BoMrl.Numerics;
using BoMrl.Tests.Experiments;

namespace BoMrl.Tests.Numerics;

/// <summary>
/// The fixed-association kernels compute exactly their documented formula on both paths (four 256-bit vectors, or
/// scalars), and the library calls nothing whose bits depend on the machine (docs/design.md §9).
/// </summary>
public sealed class FixedOrderTests
{
    private static double[] Random(Random rng, int n, double scale = 1)
    {
        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i] = (rng.NextDouble() - 0.5) * scale * Math.Pow(10, rng.Next(-3, 4));
        }

        return x;
    }

    /// <summary>The documented association, written out plainly: lane i mod 16, the fixed tree, then the tail.</summary>
    private static double ReferenceDot(double[] x, double[] y)
    {
        int body = x.Length - (x.Length % 16);
        var lane = new double[16];
        for (int i = 0; i < body; i++)
        {
            lane[i % 16] = Math.FusedMultiplyAdd(x[i], y[i], lane[i % 16]);
        }

        double[] t = [.. Enumerable.Range(0, 4).Select(j => (lane[j] + lane[j + 8]) + (lane[j + 4] + lane[j + 12]))];
        double s = (t[0] + t[2]) + (t[1] + t[3]);
        for (int i = body; i < x.Length; i++)
        {
            s = Math.FusedMultiplyAdd(x[i], y[i], s);
        }

        return s;
    }

    private static T OnScalarPath<T>(Func<T> f)
    {
        FixedOrder.ScalarOnlyOnThisThread = true;
        try
        {
            return f();
        }
        finally
        {
            FixedOrder.ScalarOnlyOnThisThread = false;
        }
    }

    [Fact]
    public void Dot_and_sum_follow_the_documented_association_on_both_paths_for_every_length()
    {
        Random rng = TestSeed.Rng(93);
        for (int n = 0; n <= 70; n++)
        {
            foreach (int len in new[] { n, n + 1000 })
            {
                double[] x = Random(rng, len), y = Random(rng, len), ones = [.. Enumerable.Repeat(1.0, len)];
                double reference = ReferenceDot(x, y);
                Assert.Equal(BitConverter.DoubleToInt64Bits(reference), BitConverter.DoubleToInt64Bits(FixedOrder.Dot(x, y)));
                Assert.Equal(BitConverter.DoubleToInt64Bits(reference), BitConverter.DoubleToInt64Bits(OnScalarPath(() => FixedOrder.Dot(x, y))));
                double sum = ReferenceDot(x, ones); // x·1 is exact, so the fused chain is the plain sum
                Assert.Equal(BitConverter.DoubleToInt64Bits(sum), BitConverter.DoubleToInt64Bits(FixedOrder.Sum(x)));
                Assert.Equal(BitConverter.DoubleToInt64Bits(sum), BitConverter.DoubleToInt64Bits(OnScalarPath(() => FixedOrder.Sum(x))));
            }
        }
    }

    [Fact]
    public void Element_wise_kernels_and_the_dense_products_give_the_same_bits_on_both_paths()
    {
        Random rng = TestSeed.Rng(94);
        foreach ((int rows, int nin, int nout) in new[] { (1, 3, 5), (7, 2, 9), (8, 4, 4), (21, 5, 6), (300, 17, 13) })
        {
            double[] w = Random(rng, nout * nin), b = Random(rng, nout), x = Random(rng, nin * rows), dy = Random(rng, nout * rows);
            double[] Run()
            {
                var y = new double[nout * rows];
                var dx = new double[nin * rows];
                var dw = new double[nout * nin];
                var db = new double[nout];
                var axpy = new double[x.Length];
                var fused = new double[x.Length];
                var prod = new double[x.Length];
                var tanh = new double[x.Length];
                Dense.Affine(w, b, x, nin, nout, rows, y);
                Dense.TransposedTimes(w, dy, nin, nout, rows, dx);
                Dense.OuterSum(dy, x, nin, nout, rows, dw, db);
                FixedOrder.MultiplyAdd(x, 0.37, x, axpy);
                FixedOrder.FusedMultiplyAdd(x, 0.37, x, fused);
                FixedOrder.Multiply(x, x, prod);
                PortableMath.Tanh(x, tanh);
                return [.. y, .. dx, .. dw, .. db, .. axpy, .. fused, .. prod, .. tanh];
            }

            double[] vector = Run(), scalar = OnScalarPath(Run);
            Assert.Equal(vector.Select(BitConverter.DoubleToInt64Bits), scalar.Select(BitConverter.DoubleToInt64Bits));
        }
    }

    /// <summary>
    /// Nothing in the library may call functions whose bits depend on the machine: the C library's transcendental
    /// functions (through Math), TensorPrimitives (vector-width association, estimate and fused operations where the
    /// hardware has them), raw FMA intrinsics or the hardware's horizontal sums. Only the two homes of the portable
    /// kernels use vectors at all.
    /// </summary>
    [Fact]
    public void The_library_calls_no_machine_dependent_math()
    {
        var forbidden = new Regex(@"\bMath\.(Exp|Log|Log2|Log10|Pow|Tanh|Sinh|Cosh|Sin|Cos|Tan|Asin|Acos|Atan|Atan2|Cbrt|Exp2|ReciprocalEstimate|ReciprocalSqrtEstimate)\s*\(|TensorPrimitives|\bFma\.(?!IsSupported)|MultiplyAddEstimate|\.Sum\(\s*a\d|Vector(128|256|512)\.Sum\(");
        string src = Path.Combine(TrainConfigTests.RepoRoot(), "src");
        var hits = new List<string>();
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                string code = lines[i].TrimStart();
                if (!code.StartsWith("//", StringComparison.Ordinal) && forbidden.IsMatch(code))
                {
                    hits.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {code}");
                }
            }
        }

        Assert.True(hits.Count == 0, "machine-dependent math in src/:\n" + string.Join('\n', hits));
    }
}
