using System.Numerics.Tensors;

namespace BoMrl.Numerics;

/// <summary>
/// Dense matrix kernels on flat row-major spans, written so that every inner loop is a long
/// <see cref="TensorPrimitives"/> call. Batched network passes store activations feature-major
/// (one row of the span per unit, one column per sample: size × rows), which turns the three
/// products of a layer (forward, input gradient, weight gradient) into axpy and dot calls whose
/// length is the number of samples rather than the (small) layer width.
/// No method allocates; outputs must not alias inputs.
/// </summary>
public static class Dense
{
    /// <summary>
    /// y = W·x + b for a batch: <paramref name="w"/> is outSize × inSize (row-major), <paramref name="x"/> is
    /// inSize × rows and <paramref name="y"/> outSize × rows (feature-major). <paramref name="b"/> may be empty (no bias).
    /// </summary>
    public static void Affine(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, int inSize, int outSize,
        int rows, Span<double> y)
    {
        for (int j = 0; j < outSize; j++)
        {
            Span<double> yj = y.Slice(j * rows, rows);
            yj.Fill(b.IsEmpty ? 0.0 : b[j]);
            ReadOnlySpan<double> wj = w.Slice(j * inSize, inSize);
            for (int k = 0; k < inSize; k++)
            {
                double wjk = wj[k];
                if (wjk != 0.0)
                {
                    TensorPrimitives.MultiplyAdd(x.Slice(k * rows, rows), wjk, yj, yj);
                }
            }
        }
    }

    /// <summary>
    /// dx = Wᵀ·dy for a batch: <paramref name="w"/> is outSize × inSize, <paramref name="dy"/> outSize × rows,
    /// <paramref name="dx"/> inSize × rows (overwritten).
    /// </summary>
    public static void TransposedTimes(ReadOnlySpan<double> w, ReadOnlySpan<double> dy, int inSize, int outSize, int rows,
        Span<double> dx)
    {
        dx[..(inSize * rows)].Clear();
        for (int j = 0; j < outSize; j++)
        {
            ReadOnlySpan<double> dyj = dy.Slice(j * rows, rows);
            ReadOnlySpan<double> wj = w.Slice(j * inSize, inSize);
            for (int k = 0; k < inSize; k++)
            {
                Span<double> dxk = dx.Slice(k * rows, rows);
                TensorPrimitives.MultiplyAdd(dyj, wj[k], dxk, dxk);
            }
        }
    }

    /// <summary>
    /// Weight and bias gradients of an affine layer summed over the batch: dW[j,k] = Σ_r dy[j,r]·x[k,r],
    /// db[j] = Σ_r dy[j,r] (overwritten; <paramref name="db"/> may be empty).
    /// </summary>
    public static void OuterSum(ReadOnlySpan<double> dy, ReadOnlySpan<double> x, int inSize, int outSize, int rows,
        Span<double> dw, Span<double> db)
    {
        for (int j = 0; j < outSize; j++)
        {
            ReadOnlySpan<double> dyj = dy.Slice(j * rows, rows);
            Span<double> dwj = dw.Slice(j * inSize, inSize);
            for (int k = 0; k < inSize; k++)
            {
                dwj[k] = TensorPrimitives.Dot(dyj, x.Slice(k * rows, rows));
            }

            if (!db.IsEmpty)
            {
                db[j] = TensorPrimitives.Sum(dyj);
            }
        }
    }

    /// <summary>Transposes a rows × cols row-major matrix into cols × rows.</summary>
    public static void Transpose(ReadOnlySpan<double> a, int rows, int cols, Span<double> at)
    {
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<double> ar = a.Slice(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                at[c * rows + r] = ar[c];
            }
        }
    }
}
