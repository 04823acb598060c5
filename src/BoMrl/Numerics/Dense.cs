using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    /// <summary>Largest batch for which <see cref="Affine"/> uses the register-blocked kernel (the sampler's batches).</summary>
    internal const int BlockedAffineMaxRows = 256;

    /// <summary>
    /// y = W·x + b for a batch: <paramref name="w"/> is outSize × inSize (row-major), <paramref name="x"/> is
    /// inSize × rows and <paramref name="y"/> outSize × rows (feature-major). <paramref name="b"/> may be empty (no bias).
    /// </summary>
    /// <remarks>
    /// Small batches (4 ≤ rows ≤ <see cref="BlockedAffineMaxRows"/>, the sampler's one policy call per step over 20 or so
    /// environments) go through a register-blocked Vector256 kernel: one row-long axpy per weight would cost a
    /// library call for every 5 vectors of work. Large batches (policy evaluation over whole trajectory batches)
    /// stream whole rows through <see cref="TensorPrimitives"/>.
    /// </remarks>
    public static void Affine(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, int inSize, int outSize,
        int rows, Span<double> y)
    {
        if (Vector256.IsHardwareAccelerated && rows >= Vector256<double>.Count && rows <= BlockedAffineMaxRows)
        {
            AffineBlocked(w, b, x, inSize, outSize, rows, y);
            return;
        }

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
    /// <see cref="Affine"/> for 4 ≤ rows, register-blocked: four output units × one vector of four samples stay in
    /// registers while k runs over the inputs, so each step of k costs one load of x, four broadcasts of W and four
    /// multiply-adds. Every sum is b_j + w_j0·x_0 + w_j1·x_1 + … in this order with separate multiply and add (no
    /// fused rounding), whatever the block. A row count that is not a multiple of four ends with one vector that
    /// overlaps the previous one; it recomputes those samples to the same values.
    /// </summary>
    private static void AffineBlocked(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, int inSize, int outSize,
        int rows, Span<double> y)
    {
        const int lanes = 4; // Vector256<double>.Count
        if (w.Length < outSize * inSize || x.Length < inSize * rows || y.Length < outSize * rows || (!b.IsEmpty && b.Length < outSize))
        {
            throw new ArgumentException("a span is shorter than its dimensions");
        }

        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double x0 = ref MemoryMarshal.GetReference(x);
        ref double y0 = ref MemoryMarshal.GetReference(y);
        int j = 0;
        for (; j + 4 <= outSize; j += 4)
        {
            Vector256<double> b0 = Vector256.Create(b.IsEmpty ? 0.0 : b[j]);
            Vector256<double> b1 = Vector256.Create(b.IsEmpty ? 0.0 : b[j + 1]);
            Vector256<double> b2 = Vector256.Create(b.IsEmpty ? 0.0 : b[j + 2]);
            Vector256<double> b3 = Vector256.Create(b.IsEmpty ? 0.0 : b[j + 3]);
            nuint wj = (nuint)(j * inSize);
            for (int r = 0; r < rows; r += lanes)
            {
                nuint at = (nuint)Math.Min(r, rows - lanes);
                Vector256<double> a0 = b0, a1 = b1, a2 = b2, a3 = b3;
                for (int k = 0; k < inSize; k++)
                {
                    Vector256<double> xk = Vector256.LoadUnsafe(ref x0, ((nuint)k * (nuint)rows) + at);
                    nuint wk = wj + (nuint)k;
                    a0 += Vector256.Create(Unsafe.Add(ref w0, wk)) * xk;
                    a1 += Vector256.Create(Unsafe.Add(ref w0, wk + (nuint)inSize)) * xk;
                    a2 += Vector256.Create(Unsafe.Add(ref w0, wk + (nuint)(2 * inSize))) * xk;
                    a3 += Vector256.Create(Unsafe.Add(ref w0, wk + (nuint)(3 * inSize))) * xk;
                }

                a0.StoreUnsafe(ref y0, ((nuint)j * (nuint)rows) + at);
                a1.StoreUnsafe(ref y0, ((nuint)(j + 1) * (nuint)rows) + at);
                a2.StoreUnsafe(ref y0, ((nuint)(j + 2) * (nuint)rows) + at);
                a3.StoreUnsafe(ref y0, ((nuint)(j + 3) * (nuint)rows) + at);
            }
        }

        for (; j < outSize; j++)
        {
            Vector256<double> bj = Vector256.Create(b.IsEmpty ? 0.0 : b[j]);
            nuint wj = (nuint)(j * inSize);
            for (int r = 0; r < rows; r += lanes)
            {
                nuint at = (nuint)Math.Min(r, rows - lanes);
                Vector256<double> a = bj;
                for (int k = 0; k < inSize; k++)
                {
                    a += Vector256.Create(Unsafe.Add(ref w0, wj + (nuint)k)) * Vector256.LoadUnsafe(ref x0, ((nuint)k * (nuint)rows) + at);
                }

                a.StoreUnsafe(ref y0, ((nuint)j * (nuint)rows) + at);
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
