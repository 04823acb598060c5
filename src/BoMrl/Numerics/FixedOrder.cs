// Over 300 lines on purpose: every span kernel of the fixed association in one place, so that one file states the
// order every reduction and element-wise operation follows (docs/design.md §9).

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BoMrl.Numerics;

/// <summary>
/// Span kernels whose results are the same bits on every x64 machine, whatever its vector extensions, and at any
/// thread count (docs/design.md §9, "Same bits on every machine"). <c>TensorPrimitives</c> does not promise this: its
/// reductions associate by the widest vector the machine has (Dot over 1 000 doubles differs in the last bits between
/// AVX-512 and AVX2), and its products use fused multiply-add where the hardware has it. Here:
/// <list type="bullet">
/// <item>Reductions (<see cref="Dot"/>, <see cref="Sum"/>, <see cref="SumOfSquares"/>) use a fixed association: 16
/// interleaved partial sums (element i goes to lane i mod 16, in increasing i), combined in a fixed tree, then the
/// n mod 16 tail added in order. The 16 lanes are four 256-bit vectors where AVX2 + FMA are present and 16 scalars
/// otherwise; each lane sees the same operations in the same order either way.</item>
/// <item>Products inside reductions are fused (<c>fma(x, y, acc)</c>), written explicitly, so every machine rounds
/// once per term: hardware FMA where present, the C library's correctly rounded <c>fma</c> otherwise.</item>
/// <item>Element-wise operations (<see cref="Add"/>, <see cref="MultiplyAdd"/>, …) round each IEEE operation
/// separately (one rounding per +, −, ×, ÷), which no vector width changes; <see cref="FusedMultiplyAdd"/> is the
/// element-wise fused form the dense kernels use.</item>
/// </list>
/// Same span conventions as <c>TensorPrimitives</c>: inputs first, destination last, destination may alias an input
/// element for element; input lengths must agree and the destination be at least as long (checked). No method allocates.
/// </summary>
public static class FixedOrder
{
    /// <summary>Number of interleaved partial sums of every reduction.</summary>
    public const int Lanes = 16;

    /// <summary>True where the reductions run as four 256-bit vectors (AVX2 + FMA); the bits are the same either way.</summary>
    public static bool Vectorised => s_vector && !t_scalarOnly;

    private static readonly bool s_vector = Vector256.IsHardwareAccelerated && Fma.IsSupported && Avx2.IsSupported;

    [ThreadStatic]
    private static bool t_scalarOnly;

    /// <summary>
    /// Forces the scalar path on the calling thread only (the tests compare both paths bit for bit; a per-thread switch
    /// cannot change what concurrently running code computes).
    /// </summary>
    internal static bool ScalarOnlyOnThisThread
    {
        get => t_scalarOnly;
        set => t_scalarOnly = value;
    }

    /// <summary>Σ xᵢ·yᵢ in the fixed association (16 lanes, fused products, fixed tree, ordered tail).</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        SameLength(x.Length, y.Length);
        int n = x.Length, body = n - (n % Lanes);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        double s;
        if (Vectorised)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (nuint i = 0; i < (nuint)body; i += Lanes)
            {
                a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, i), Vector256.LoadUnsafe(ref yr, i), a0);
                a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, i + 4), Vector256.LoadUnsafe(ref yr, i + 4), a1);
                a2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, i + 8), Vector256.LoadUnsafe(ref yr, i + 8), a2);
                a3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, i + 12), Vector256.LoadUnsafe(ref yr, i + 12), a3);
            }

            s = Combine(a0, a1, a2, a3);
        }
        else
        {
            Span<double> a = stackalloc double[Lanes];
            a.Clear();
            for (int i = 0; i < body; i += Lanes)
            {
                for (int l = 0; l < Lanes; l++)
                {
                    a[l] = Math.FusedMultiplyAdd(Unsafe.Add(ref xr, i + l), Unsafe.Add(ref yr, i + l), a[l]);
                }
            }

            s = Combine(a);
        }

        for (int i = body; i < n; i++)
        {
            s = Math.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), s);
        }

        return s;
    }

    /// <summary>Σ xᵢ in the fixed association (16 lanes, fixed tree, ordered tail).</summary>
    public static double Sum(ReadOnlySpan<double> x)
    {
        int n = x.Length, body = n - (n % Lanes);
        ref double xr = ref MemoryMarshal.GetReference(x);
        double s;
        if (Vectorised)
        {
            Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            for (nuint i = 0; i < (nuint)body; i += Lanes)
            {
                a0 += Vector256.LoadUnsafe(ref xr, i);
                a1 += Vector256.LoadUnsafe(ref xr, i + 4);
                a2 += Vector256.LoadUnsafe(ref xr, i + 8);
                a3 += Vector256.LoadUnsafe(ref xr, i + 12);
            }

            s = Combine(a0, a1, a2, a3);
        }
        else
        {
            Span<double> a = stackalloc double[Lanes];
            a.Clear();
            for (int i = 0; i < body; i += Lanes)
            {
                for (int l = 0; l < Lanes; l++)
                {
                    a[l] += Unsafe.Add(ref xr, i + l);
                }
            }

            s = Combine(a);
        }

        for (int i = body; i < n; i++)
        {
            s += Unsafe.Add(ref xr, i);
        }

        return s;
    }

    /// <summary>Σ xᵢ² — <see cref="Dot"/>(x, x).</summary>
    public static double SumOfSquares(ReadOnlySpan<double> x) => Dot(x, x);

    /// <summary>‖x‖₂ = √(Σ xᵢ²) in the fixed association (no rescaling: finite for entries below about 1e154).</summary>
    public static double Norm(ReadOnlySpan<double> x) => Math.Sqrt(Dot(x, x));

    /// <summary>
    /// The entry of largest magnitude, with its sign (the first such entry; NaN if any entry is NaN; 0 for an empty span).
    /// </summary>
    public static double MaxMagnitude(ReadOnlySpan<double> x)
    {
        double best = 0, bestAbs = -1;
        foreach (double v in x)
        {
            if (double.IsNaN(v))
            {
                return v;
            }

            double a = Math.Abs(v);
            if (a > bestAbs)
            {
                best = v;
                bestAbs = a;
            }
        }

        return best;
    }

    /// <summary>The largest entry (NaN if any entry is NaN). The span must not be empty.</summary>
    public static double Max(ReadOnlySpan<double> x)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("Max of an empty span.", nameof(x));
        }

        double best = x[0];
        foreach (double v in x)
        {
            if (double.IsNaN(v))
            {
                return v;
            }

            if (v > best)
            {
                best = v;
            }
        }

        return best;
    }

    /// <summary>destination = x + y, element-wise.</summary>
    public static void Add(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) =>
        Map<AddOp>(x, y, destination);

    /// <summary>destination = x − y, element-wise.</summary>
    public static void Subtract(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) =>
        Map<SubtractOp>(x, y, destination);

    /// <summary>destination = x ⊙ y, element-wise.</summary>
    public static void Multiply(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination) =>
        Map<MultiplyOp>(x, y, destination);

    /// <summary>destination = x − c, element-wise.</summary>
    public static void Subtract(ReadOnlySpan<double> x, double c, Span<double> destination) =>
        Map<SubtractOp>(x, c, destination);

    /// <summary>destination = c·x, element-wise.</summary>
    public static void Multiply(ReadOnlySpan<double> x, double c, Span<double> destination) =>
        Map<MultiplyOp>(x, c, destination);

    /// <summary>destination = x / c, element-wise.</summary>
    public static void Divide(ReadOnlySpan<double> x, double c, Span<double> destination) =>
        Map<DivideOp>(x, c, destination);

    /// <summary>destination = −x, element-wise.</summary>
    public static void Negate(ReadOnlySpan<double> x, Span<double> destination) => Map<MultiplyOp>(x, -1.0, destination);

    /// <summary>destination = x·c + addend, element-wise, rounding the product and the sum separately (axpy).</summary>
    public static void MultiplyAdd(ReadOnlySpan<double> x, double c, ReadOnlySpan<double> addend, Span<double> destination)
    {
        Check(x.Length, addend.Length, destination.Length);
        int i = 0;
        if (Vectorised)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double ar = ref MemoryMarshal.GetReference(addend);
            ref double dr = ref MemoryMarshal.GetReference(destination);
            Vector256<double> cv = Vector256.Create(c);
            for (; i + 4 <= x.Length; i += 4)
            {
                (Vector256.LoadUnsafe(ref xr, (nuint)i) * cv + Vector256.LoadUnsafe(ref ar, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = x[i] * c + addend[i];
        }
    }

    /// <summary>destination = fma(x, c, addend), element-wise: one rounding per element (the dense kernels' form).</summary>
    public static void FusedMultiplyAdd(ReadOnlySpan<double> x, double c, ReadOnlySpan<double> addend, Span<double> destination)
    {
        Check(x.Length, addend.Length, destination.Length);
        int i = 0;
        if (Vectorised && x.Length >= 4)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double ar = ref MemoryMarshal.GetReference(addend);
            ref double dr = ref MemoryMarshal.GetReference(destination);
            Vector256<double> cv = Vector256.Create(c);
            for (; i + 4 <= x.Length; i += 4)
            {
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref xr, (nuint)i), cv, Vector256.LoadUnsafe(ref ar, (nuint)i))
                    .StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = Math.FusedMultiplyAdd(x[i], c, addend[i]);
        }
    }

    private interface IBinaryOp
    {
        static abstract double Invoke(double x, double y);

        static abstract Vector256<double> Invoke(Vector256<double> x, Vector256<double> y);
    }

    private readonly struct AddOp : IBinaryOp
    {
        public static double Invoke(double x, double y) => x + y;

        public static Vector256<double> Invoke(Vector256<double> x, Vector256<double> y) => x + y;
    }

    private readonly struct SubtractOp : IBinaryOp
    {
        public static double Invoke(double x, double y) => x - y;

        public static Vector256<double> Invoke(Vector256<double> x, Vector256<double> y) => x - y;
    }

    private readonly struct MultiplyOp : IBinaryOp
    {
        public static double Invoke(double x, double y) => x * y;

        public static Vector256<double> Invoke(Vector256<double> x, Vector256<double> y) => x * y;
    }

    private readonly struct DivideOp : IBinaryOp
    {
        public static double Invoke(double x, double y) => x / y;

        public static Vector256<double> Invoke(Vector256<double> x, Vector256<double> y) => x / y;
    }

    /// <summary>destination[i] = op(x[i], y[i]): one IEEE operation per element, the same bits at any vector width.</summary>
    private static void Map<TOp>(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> destination)
        where TOp : struct, IBinaryOp
    {
        Check(x.Length, y.Length, destination.Length);
        int i = 0;
        if (Vectorised)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double yr = ref MemoryMarshal.GetReference(y);
            ref double dr = ref MemoryMarshal.GetReference(destination);
            for (; i + 4 <= x.Length; i += 4)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i], y[i]);
        }
    }

    /// <summary>destination[i] = op(x[i], c).</summary>
    private static void Map<TOp>(ReadOnlySpan<double> x, double c, Span<double> destination)
        where TOp : struct, IBinaryOp
    {
        Check(x.Length, x.Length, destination.Length);
        int i = 0;
        if (Vectorised)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double dr = ref MemoryMarshal.GetReference(destination);
            Vector256<double> cv = Vector256.Create(c);
            for (; i + 4 <= x.Length; i += 4)
            {
                TOp.Invoke(Vector256.LoadUnsafe(ref xr, (nuint)i), cv).StoreUnsafe(ref dr, (nuint)i);
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = TOp.Invoke(x[i], c);
        }
    }

    /// <summary>The fixed tree over the 16 lanes held as four vectors (lanes 0–3, 4–7, 8–11, 12–15).</summary>
    private static double Combine(Vector256<double> a0, Vector256<double> a1, Vector256<double> a2, Vector256<double> a3)
    {
        Vector256<double> t = (a0 + a2) + (a1 + a3); // t_j = (lane j + lane j+8) + (lane j+4 + lane j+12)
        return (t.GetElement(0) + t.GetElement(2)) + (t.GetElement(1) + t.GetElement(3));
    }

    /// <summary>The same tree over 16 scalar lanes.</summary>
    private static double Combine(ReadOnlySpan<double> a)
    {
        double t0 = (a[0] + a[8]) + (a[4] + a[12]), t1 = (a[1] + a[9]) + (a[5] + a[13]);
        double t2 = (a[2] + a[10]) + (a[6] + a[14]), t3 = (a[3] + a[11]) + (a[7] + a[15]);
        return (t0 + t2) + (t1 + t3);
    }

    private static void SameLength(int a, int b)
    {
        if (a != b)
        {
            throw new ArgumentException($"Span lengths differ ({a} and {b}).");
        }
    }

    /// <summary>Inputs of equal length; the destination at least as long (only the first elements are written).</summary>
    private static void Check(int a, int b, int destination)
    {
        SameLength(a, b);
        if (destination < a)
        {
            throw new ArgumentException($"Destination too short ({destination} < {a}).", nameof(destination));
        }
    }
}
