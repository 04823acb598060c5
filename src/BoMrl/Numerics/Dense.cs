// Over 300 lines on purpose: the register-blocked kernels and the formulas their scalar twins evaluate must stay side by
// side to stay bit-equal (docs/design.md §9).

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace BoMrl.Numerics;

/// <summary>
/// Dense matrix kernels for batched network passes. Weights are row-major (out × in); activations are feature-major
/// (one row of the span per unit, one column per sample: size × rows), so the three products of a layer are:
/// forward Y = W·X (+b), input gradient dX = Wᵀ·dY, weight gradient dW = dY·Xᵀ.
/// <para>
/// Every output element has one fixed formula, whatever the machine (docs/design.md §9): a product element is the
/// fused chain acc ← b; acc ← fma(m(o, i), x[i, r], acc) for i = 0, 1, … in order; a weight-gradient element is a dot
/// product over the samples in four interleaved fused lanes (sample r to lane r mod 4), combined as
/// (l0 + l1) + (l2 + l3), then the rows mod 4 tail fused in order; a bias gradient is <see cref="FixedOrder.Sum"/>.
/// With AVX2 + FMA the products run register-blocked micro-kernels (4 outputs × 8 samples, or 4 × 2 dot products, held
/// in 8 YMM accumulators, so each loaded vector feeds 2–4 FMAs instead of one); otherwise scalar loops evaluate the
/// same formulas (the C library's correctly rounded fma where the hardware has none). Which path, and which block a
/// sample falls in, changes no bit (tested). No method allocates; outputs must not alias inputs.
/// </para>
/// </summary>
public static class Dense
{
    private static bool UseBlockedKernels => FixedOrder.Vectorised;

    /// <summary>
    /// y = W·x + b for a batch: <paramref name="w"/> is outSize × inSize (row-major), <paramref name="x"/> is
    /// inSize × rows and <paramref name="y"/> outSize × rows (feature-major). <paramref name="b"/> may be empty (no bias).
    /// </summary>
    public static void Affine(ReadOnlySpan<double> w, ReadOnlySpan<double> b, ReadOnlySpan<double> x, int inSize, int outSize,
        int rows, Span<double> y)
    {
        // output o, reduction i: weight at w[o·inSize + i]
        Product(w, inSize, 1, b, x, inSize, outSize, rows, y);
    }

    /// <summary>
    /// dx = Wᵀ·dy for a batch: <paramref name="w"/> is outSize × inSize, <paramref name="dy"/> outSize × rows,
    /// <paramref name="dx"/> inSize × rows (overwritten).
    /// </summary>
    public static void TransposedTimes(ReadOnlySpan<double> w, ReadOnlySpan<double> dy, int inSize, int outSize, int rows,
        Span<double> dx)
    {
        // output k (an input unit), reduction j (an output unit): weight at w[j·inSize + k]
        Product(w, 1, inSize, [], dy, outSize, inSize, rows, dx);
    }

    /// <summary>
    /// result[o, r] = bias[o] + Σ_i m(o, i)·x[i, r] with m(o, i) = w[o·strideO + i·strideI]; x is reduce × rows.
    /// </summary>
    private static void Product(ReadOnlySpan<double> w, int strideO, int strideI, ReadOnlySpan<double> bias, ReadOnlySpan<double> x,
        int reduce, int outputs, int rows, Span<double> result)
    {
        int o = 0;
        if (UseBlockedKernels && rows >= 8)
        {
            for (; o + 4 <= outputs; o += 4)
            {
                ProductBlock4(w, strideO, strideI, bias, x, reduce, rows, result, o);
            }
        }

        for (; o < outputs; o++)
        {
            Span<double> yo = result.Slice(o * rows, rows);
            yo.Fill(bias.IsEmpty ? 0.0 : bias[o]);
            for (int i = 0; i < reduce; i++)
            {
                // No skip of zero weights: fma(0, x, −0) is +0, and the blocked kernel does not skip either.
                FixedOrder.FusedMultiplyAdd(x.Slice(i * rows, rows), w[o * strideO + i * strideI], yo, yo);
            }
        }
    }

    /// <summary>Outputs o0..o0+3 over all rows (at least 8): 8-row column blocks with 8 accumulators, then 4-row blocks.</summary>
    private static void ProductBlock4(ReadOnlySpan<double> w, int strideO, int strideI, ReadOnlySpan<double> bias, ReadOnlySpan<double> x,
        int reduce, int rows, Span<double> result, int o0)
    {
        ref double wr = ref MemoryMarshal.GetReference(w);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(result);
        double b0 = bias.IsEmpty ? 0 : bias[o0], b1 = bias.IsEmpty ? 0 : bias[o0 + 1];
        double b2 = bias.IsEmpty ? 0 : bias[o0 + 2], b3 = bias.IsEmpty ? 0 : bias[o0 + 3];
        nuint w0 = (nuint)(o0 * strideO), w1 = (nuint)((o0 + 1) * strideO), w2 = (nuint)((o0 + 2) * strideO), w3 = (nuint)((o0 + 3) * strideO);
        nuint si = (nuint)strideI, nrows = (nuint)rows;
        int r = 0;
        for (; r + 8 <= rows; r += 8)
        {
            Vector256<double> a00 = Vector256.Create(b0), a01 = a00;
            Vector256<double> a10 = Vector256.Create(b1), a11 = a10;
            Vector256<double> a20 = Vector256.Create(b2), a21 = a20;
            Vector256<double> a30 = Vector256.Create(b3), a31 = a30;
            nuint xo = (nuint)r;
            nuint wi = 0;
            for (int i = 0; i < reduce; i++, xo += nrows, wi += si)
            {
                Vector256<double> x0 = Vector256.LoadUnsafe(ref xr, xo);
                Vector256<double> x1 = Vector256.LoadUnsafe(ref xr, xo + 4);
                Vector256<double> m = Vector256.Create(Unsafe.Add(ref wr, w0 + wi));
                a00 = Vector256.FusedMultiplyAdd(m, x0, a00);
                a01 = Vector256.FusedMultiplyAdd(m, x1, a01);
                m = Vector256.Create(Unsafe.Add(ref wr, w1 + wi));
                a10 = Vector256.FusedMultiplyAdd(m, x0, a10);
                a11 = Vector256.FusedMultiplyAdd(m, x1, a11);
                m = Vector256.Create(Unsafe.Add(ref wr, w2 + wi));
                a20 = Vector256.FusedMultiplyAdd(m, x0, a20);
                a21 = Vector256.FusedMultiplyAdd(m, x1, a21);
                m = Vector256.Create(Unsafe.Add(ref wr, w3 + wi));
                a30 = Vector256.FusedMultiplyAdd(m, x0, a30);
                a31 = Vector256.FusedMultiplyAdd(m, x1, a31);
            }

            nuint y0 = (nuint)(o0 * rows + r);
            a00.StoreUnsafe(ref yr, y0);
            a01.StoreUnsafe(ref yr, y0 + 4);
            a10.StoreUnsafe(ref yr, y0 + nrows);
            a11.StoreUnsafe(ref yr, y0 + nrows + 4);
            a20.StoreUnsafe(ref yr, y0 + 2 * nrows);
            a21.StoreUnsafe(ref yr, y0 + 2 * nrows + 4);
            a30.StoreUnsafe(ref yr, y0 + 3 * nrows);
            a31.StoreUnsafe(ref yr, y0 + 3 * nrows + 4);
        }

        // Tail of 1–7 samples (the sampler's groups of 20 leave 4): 4-sample blocks, the last one shifted back to end at
        // `rows` so that it overlaps samples already done (rows ≥ 8 here). Every sample is the same FMA chain whichever
        // block computes it, so recomputed samples get their own values again. (A scalar tail made the sampler's
        // 20-row policy call about twice as slow.)
        while (r < rows)
        {
            int start = Math.Min(r, rows - 4);
            Vector256<double> a0 = Vector256.Create(b0), a1 = Vector256.Create(b1);
            Vector256<double> a2 = Vector256.Create(b2), a3 = Vector256.Create(b3);
            nuint xo = (nuint)start;
            nuint wi = 0;
            for (int i = 0; i < reduce; i++, xo += nrows, wi += si)
            {
                Vector256<double> x0 = Vector256.LoadUnsafe(ref xr, xo);
                a0 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref wr, w0 + wi)), x0, a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref wr, w1 + wi)), x0, a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref wr, w2 + wi)), x0, a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref wr, w3 + wi)), x0, a3);
            }

            nuint y0 = (nuint)(o0 * rows + start);
            a0.StoreUnsafe(ref yr, y0);
            a1.StoreUnsafe(ref yr, y0 + nrows);
            a2.StoreUnsafe(ref yr, y0 + 2 * nrows);
            a3.StoreUnsafe(ref yr, y0 + 3 * nrows);
            r = start + 4;
        }
    }

    /// <summary>
    /// Weight and bias gradients of an affine layer summed over the batch: dW[j,k] = Σ_r dy[j,r]·x[k,r],
    /// db[j] = Σ_r dy[j,r] (overwritten; <paramref name="db"/> may be empty).
    /// </summary>
    public static void OuterSum(ReadOnlySpan<double> dy, ReadOnlySpan<double> x, int inSize, int outSize, int rows,
        Span<double> dw, Span<double> db)
    {
        int j = 0;
        if (UseBlockedKernels && rows >= 4)
        {
            for (; j + 4 <= outSize; j += 4)
            {
                int k = 0;
                for (; k + 2 <= inSize; k += 2)
                {
                    DotBlock4x2(dy, x, rows, j, k, dw, inSize);
                }

                for (; k < inSize; k++)
                {
                    for (int q = 0; q < 4; q++)
                    {
                        dw[(j + q) * inSize + k] = Dot4(dy.Slice((j + q) * rows, rows), x.Slice(k * rows, rows));
                    }
                }
            }
        }

        for (; j < outSize; j++)
        {
            ReadOnlySpan<double> dyj = dy.Slice(j * rows, rows);
            for (int k = 0; k < inSize; k++)
            {
                dw[j * inSize + k] = Dot4(dyj, x.Slice(k * rows, rows));
            }
        }

        if (!db.IsEmpty)
        {
            for (j = 0; j < outSize; j++)
            {
                db[j] = FixedOrder.Sum(dy.Slice(j * rows, rows));
            }
        }
    }

    /// <summary>
    /// Σ_r a[r]·b[r] in the weight gradient's association: four fused lanes (r mod 4), (l0 + l1) + (l2 + l3), then the
    /// tail fused in order — what <see cref="DotBlock4x2"/> computes for eight pairs at once.
    /// </summary>
    private static double Dot4(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int rows = a.Length, body = rows - (rows % 4), r = 0;
        double s;
        if (UseBlockedKernels)
        {
            ref double ar = ref MemoryMarshal.GetReference(a);
            ref double br = ref MemoryMarshal.GetReference(b);
            Vector256<double> acc = Vector256<double>.Zero;
            for (; r < body; r += 4)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref ar, (nuint)r), Vector256.LoadUnsafe(ref br, (nuint)r), acc);
            }

            s = Lanes4(acc);
        }
        else
        {
            double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
            for (; r < body; r += 4)
            {
                l0 = Math.FusedMultiplyAdd(a[r], b[r], l0);
                l1 = Math.FusedMultiplyAdd(a[r + 1], b[r + 1], l1);
                l2 = Math.FusedMultiplyAdd(a[r + 2], b[r + 2], l2);
                l3 = Math.FusedMultiplyAdd(a[r + 3], b[r + 3], l3);
            }

            s = (l0 + l1) + (l2 + l3);
        }

        for (; r < rows; r++)
        {
            s = Math.FusedMultiplyAdd(a[r], b[r], s);
        }

        return s;
    }

    /// <summary>(l0 + l1) + (l2 + l3) of a four-lane accumulator, in that order on every machine.</summary>
    private static double Lanes4(Vector256<double> v) => (v.GetElement(0) + v.GetElement(1)) + (v.GetElement(2) + v.GetElement(3));

    /// <summary>dW for rows j0..j0+3 and columns k0, k0+1: eight dot products over the samples at once.</summary>
    private static void DotBlock4x2(ReadOnlySpan<double> dy, ReadOnlySpan<double> x, int rows, int j0, int k0, Span<double> dw, int inSize)
    {
        ref double dr = ref MemoryMarshal.GetReference(dy);
        ref double xr = ref MemoryMarshal.GetReference(x);
        nuint nrows = (nuint)rows;
        nuint d0 = (nuint)(j0 * rows), d1 = d0 + nrows, d2 = d1 + nrows, d3 = d2 + nrows;
        nuint x0 = (nuint)(k0 * rows), x1 = x0 + nrows;
        Vector256<double> a00 = Vector256<double>.Zero, a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int r = 0;
        for (; r + 4 <= rows; r += 4)
        {
            nuint rr = (nuint)r;
            Vector256<double> p = Vector256.LoadUnsafe(ref xr, x0 + rr);
            Vector256<double> q = Vector256.LoadUnsafe(ref xr, x1 + rr);
            Vector256<double> v = Vector256.LoadUnsafe(ref dr, d0 + rr);
            a00 = Vector256.FusedMultiplyAdd(v, p, a00);
            a01 = Vector256.FusedMultiplyAdd(v, q, a01);
            v = Vector256.LoadUnsafe(ref dr, d1 + rr);
            a10 = Vector256.FusedMultiplyAdd(v, p, a10);
            a11 = Vector256.FusedMultiplyAdd(v, q, a11);
            v = Vector256.LoadUnsafe(ref dr, d2 + rr);
            a20 = Vector256.FusedMultiplyAdd(v, p, a20);
            a21 = Vector256.FusedMultiplyAdd(v, q, a21);
            v = Vector256.LoadUnsafe(ref dr, d3 + rr);
            a30 = Vector256.FusedMultiplyAdd(v, p, a30);
            a31 = Vector256.FusedMultiplyAdd(v, q, a31);
        }

        double s00 = Lanes4(a00), s01 = Lanes4(a01), s10 = Lanes4(a10), s11 = Lanes4(a11);
        double s20 = Lanes4(a20), s21 = Lanes4(a21), s30 = Lanes4(a30), s31 = Lanes4(a31);
        for (; r < rows; r++)
        {
            double p = x[k0 * rows + r], q = x[(k0 + 1) * rows + r];
            s00 = Math.FusedMultiplyAdd(dy[j0 * rows + r], p, s00);
            s01 = Math.FusedMultiplyAdd(dy[j0 * rows + r], q, s01);
            s10 = Math.FusedMultiplyAdd(dy[(j0 + 1) * rows + r], p, s10);
            s11 = Math.FusedMultiplyAdd(dy[(j0 + 1) * rows + r], q, s11);
            s20 = Math.FusedMultiplyAdd(dy[(j0 + 2) * rows + r], p, s20);
            s21 = Math.FusedMultiplyAdd(dy[(j0 + 2) * rows + r], q, s21);
            s30 = Math.FusedMultiplyAdd(dy[(j0 + 3) * rows + r], p, s30);
            s31 = Math.FusedMultiplyAdd(dy[(j0 + 3) * rows + r], q, s31);
        }

        dw[j0 * inSize + k0] = s00;
        dw[j0 * inSize + k0 + 1] = s01;
        dw[(j0 + 1) * inSize + k0] = s10;
        dw[(j0 + 1) * inSize + k0 + 1] = s11;
        dw[(j0 + 2) * inSize + k0] = s20;
        dw[(j0 + 2) * inSize + k0 + 1] = s21;
        dw[(j0 + 3) * inSize + k0] = s30;
        dw[(j0 + 3) * inSize + k0 + 1] = s31;
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
