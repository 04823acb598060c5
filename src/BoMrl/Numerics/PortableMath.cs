// Over 300 lines on purpose: the functions share their reduction constants and polynomials, and the vector tanh must
// mirror the scalar one operation for operation; apart they would drift.

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace BoMrl.Numerics;

/// <summary>
/// exp, expm1, log, tanh, sin, cos and integer powers written here, from +, −, ×, ÷ and bit operations only, so they
/// give the same bits on every machine (docs/design.md §9). <c>Math.Exp</c> and friends call the C library, which picks
/// its code path by CPU feature: glibc's exp differs in the last bit between its FMA and SSE2 paths on the same inputs
/// (measured: <c>GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA</c> changes Math.Exp on 1 000 random arguments).
/// <para>
/// The methods: argument reduction by a two-part constant (Cody and Waite), then a Taylor polynomial on the reduced
/// argument evaluated by Horner's rule with enough terms that truncation stays below 10⁻¹⁸ relative, then
/// reconstruction by an exact power of two. Accuracy against the platform's functions is tested (PortableMathTests):
/// within 1 ulp for exp and log, 2 ulp for expm1 (against exp(x) − 1, itself up to 1 ulp off), sin and cos on |x| ≤ 10⁵, 3 ulp for tanh (all measured maxima are printed
/// there). The span <see cref="Tanh(ReadOnlySpan{double}, Span{double})"/> runs the same operations on four lanes at
/// once and is tested bit for bit against the scalar one.
/// </para>
/// </summary>
public static class PortableMath
{
    /// <summary>ln 2 split: the high part has 42 significant bits, so k·Ln2Hi is exact for |k| &lt; 2¹¹.</summary>
    private const double Ln2Hi = 0.6931471805598903;

    /// <summary>ln 2 − Ln2Hi, rounded.</summary>
    private const double Ln2Lo = 5.497923018708371e-14;

    private const double InvLn2 = 1.4426950408889634;

    /// <summary>1.5·2⁵²: adding it rounds a double of magnitude below 2⁵¹ to the nearest integer (ties to even).</summary>
    private const double Shifter = 6755399441055744.0;

    /// <summary>π/2 in three parts; the first two have 33 significant bits, so k·part is exact for |k| &lt; 2²⁰.</summary>
    private const double PiHalf1 = 1.5707963267341256;

    private const double PiHalf2 = 6.077100506303966e-11;

    private const double PiHalf3 = 2.0222662487959506e-21;

    private const double TwoOverPi = 0.6366197723675814;

    private const double Sqrt2 = 1.4142135623730951;

    /// <summary>Largest x with a finite eˣ, and the x below which eˣ rounds to zero.</summary>
    private const double ExpOverflow = 709.782712893384, ExpUnderflow = -745.1332191019412;

    // Taylor coefficients 1/n!, n = 2..19.
    private const double F15 = 1.0 / 1307674368000, F16 = 1.0 / 20922789888000, F17 = 1.0 / 355687428096000;
    private const double F18 = 1.0 / 6402373705728000, F19 = 1.0 / 121645100408832000;
    private const double F2 = 1.0 / 2, F3 = 1.0 / 6, F4 = 1.0 / 24, F5 = 1.0 / 120, F6 = 1.0 / 720, F7 = 1.0 / 5040;
    private const double F8 = 1.0 / 40320, F9 = 1.0 / 362880, F10 = 1.0 / 3628800, F11 = 1.0 / 39916800;
    private const double F12 = 1.0 / 479001600, F13 = 1.0 / 6227020800, F14 = 1.0 / 87178291200;

    /// <summary>
    /// eʳ − 1 for |r| ≤ 1: r + r²·Σ_{n≥2} rⁿ⁻²/n! (terms to r¹⁹, truncation below 5·10⁻¹⁹). Arguments up to 1 are used
    /// unreduced where reducing them would cancel (2·expm1(r) + 1 with r &lt; 0).
    /// </summary>
    private static double Expm1Reduced(double r)
    {
        double q = F19;
        q = q * r + F18;
        q = q * r + F17;
        q = q * r + F16;
        q = q * r + F15;
        q = q * r + F14;
        q = q * r + F13;
        q = q * r + F12;
        q = q * r + F11;
        q = q * r + F10;
        q = q * r + F9;
        q = q * r + F8;
        q = q * r + F7;
        q = q * r + F6;
        q = q * r + F5;
        q = q * r + F4;
        q = q * r + F3;
        q = q * r + F2;
        return r + r * r * q;
    }

    /// <summary>
    /// eʳ − 1 for |r| ≤ ln2/2 (plus rounding): the same series to r¹⁴ (truncation below 4·10⁻¹⁸ relative), its
    /// polynomial q(r) = Σ_{n=2..14} rⁿ⁻²/n! evaluated by Estrin's scheme (pairs, then powers r², r⁴, r⁸), whose
    /// short dependency chains let the vector forms run several lanes' steps at once. The vector forms below repeat
    /// these operations exactly.
    /// </summary>
    private static double Expm1Short(double r)
    {
        double r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
        double q01 = (F2 + F3 * r) + (F4 + F5 * r) * r2;
        double q23 = (F6 + F7 * r) + (F8 + F9 * r) * r2;
        double q45 = (F10 + F11 * r) + (F12 + F13 * r) * r2;
        double q = (q01 + q23 * r4) + (q45 + F14 * r4) * r8;
        return r + r2 * q;
    }

    /// <summary>2ᵏ for an integer k in [−1022, 1023], built from its bits.</summary>
    private static double PowerOfTwo(long k) => BitConverter.Int64BitsToDouble((k + 1023) << 52);

    /// <summary>eˣ (within 1 ulp; +∞ above 709.78, 0 below −745.13, NaN for NaN).</summary>
    public static double Exp(double x)
    {
        if (!(x <= ExpOverflow))
        {
            return double.IsNaN(x) ? x : double.PositiveInfinity;
        }

        if (x < ExpUnderflow)
        {
            return 0.0;
        }

        double n = x * InvLn2 + Shifter;
        double k = n - Shifter;
        double r = (x - k * Ln2Hi) - k * Ln2Lo;
        double e = 1.0 + Expm1Short(r);
        long ki = (long)k, k1 = ki >> 1, k2 = ki - k1; // k ∈ [−1075, 1024]: both halves are normal powers
        return e * PowerOfTwo(k1) * PowerOfTwo(k2);
    }

    /// <summary>eˣ − 1, accurate near 0 (within 2 ulp; −1 below −40, +∞ above 709.78).</summary>
    public static double Expm1(double x)
    {
        if (!(x <= ExpOverflow))
        {
            return double.IsNaN(x) ? x : double.PositiveInfinity;
        }

        if (x < -40.0)
        {
            return -1.0;
        }

        double n = Math.Abs(x) <= 1.0 ? Shifter : x * InvLn2 + Shifter; // |x| ≤ 1: k = 0, r = x
        double k = n - Shifter;
        double r = (x - k * Ln2Hi) - k * Ln2Lo;
        double em = Expm1Reduced(r);
        long ki = (long)k;
        if (ki > 1000)
        {
            return Exp(x);
        }

        double s = PowerOfTwo(ki);
        return s * em + (s - 1.0); // eˣ − 1 = 2ᵏ(eʳ − 1) + (2ᵏ − 1); 2ᵏ − 1 is exact for −53 ≤ k ≤ 53
    }

    /// <summary>ln x (within 1 ulp; −∞ at 0, NaN below 0 and for NaN, +∞ at +∞).</summary>
    public static double Log(double x)
    {
        if (!(x > 0.0) || double.IsPositiveInfinity(x))
        {
            return x == 0.0 ? double.NegativeInfinity : x < 0.0 ? double.NaN : x;
        }

        long bits = BitConverter.DoubleToInt64Bits(x);
        long exponent = bits >> 52;
        if (exponent == 0)
        {
            // subnormal: scale by 2⁵⁴ (exact) first
            bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0);
            exponent = (bits >> 52) - 54;
        }

        long e = exponent - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5; // (√½, 1]
            e++;
        }

        // ln(1 + f) = f − (f²/2 − s·(f²/2 + R)), s = f/(2 + f), R = Σ_{k≥1} 2s²ᵏ/(2k + 1) (the series of 2·atanh s)
        double f = m - 1.0;
        double s = f / (2.0 + f), z = s * s;
        double q = 2.0 / 23;
        q = q * z + 2.0 / 21;
        q = q * z + 2.0 / 19;
        q = q * z + 2.0 / 17;
        q = q * z + 2.0 / 15;
        q = q * z + 2.0 / 13;
        q = q * z + 2.0 / 11;
        q = q * z + 2.0 / 9;
        q = q * z + 2.0 / 7;
        q = q * z + 2.0 / 5;
        q = q * z + 2.0 / 3;
        double rr = z * q;
        double hfsq = 0.5 * f * f;
        double de = e;
        return de * Ln2Hi + (f - (hfsq - (s * (hfsq + rr) + de * Ln2Lo)));
    }

    /// <summary>tanh x = sign(x)·m/(m + 2), m = expm1(2|x|) (within 3 ulp; ±1 beyond |x| = 20).</summary>
    public static double Tanh(double x)
    {
        double a = Math.Abs(x);
        a = a < 20.0 ? a : 20.0;
        double y = 2.0 * a;
        double n = y * InvLn2 + Shifter;
        double k = n - Shifter;
        double r = (y - k * Ln2Hi) - k * Ln2Lo;
        double em = Expm1Short(r);
        double s = PowerOfTwo((long)k);
        double m = s * em + (s - 1.0); // expm1(2a) = 2ᵏ·expm1(r) + (2ᵏ − 1), k ∈ [0, 58]
        double t = m / (m + 2.0);
        return double.IsNaN(x) ? x : Math.CopySign(t, x);
    }

    /// <summary>
    /// destination = tanh(x) element-wise: the operations of <see cref="Tanh(double)"/> on four lanes at once (AVX2), per
    /// lane the same operations, so the same bits as the scalar form. (An eight-lane AVX-512 form was measured slower
    /// in the policy forward pass on this project's AMD EPYC machines: 1.9 ms against 1.2 ms.)
    /// </summary>
    public static void Tanh(ReadOnlySpan<double> x, Span<double> destination)
    {
        if (destination.Length < x.Length)
        {
            throw new ArgumentException($"Destination too short ({destination.Length} < {x.Length}).", nameof(destination));
        }

        int i = 0;
        if (!FixedOrder.ScalarOnlyOnThisThread)
        {
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref double dr = ref MemoryMarshal.GetReference(destination);
            if (Vector256.IsHardwareAccelerated && Avx2.IsSupported)
            {
                for (; i + 4 <= x.Length; i += 4)
                {
                    Tanh4(Vector256.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
                }
            }
        }

        for (; i < x.Length; i++)
        {
            destination[i] = Tanh(x[i]);
        }
    }

    /// <summary>Four lanes of <see cref="Tanh(double)"/>, operation for operation.</summary>
    private static Vector256<double> Tanh4(Vector256<double> x)
    {
        Vector256<double> signMask = Vector256.Create(-0.0);
        Vector256<double> a = Vector256.AndNot(x, signMask);
        Vector256<double> limit = Vector256.Create(20.0);
        a = Vector256.ConditionalSelect(Vector256.LessThan(a, limit), a, limit);
        Vector256<double> y = Vector256.Create(2.0) * a;
        Vector256<double> shifter = Vector256.Create(Shifter);
        Vector256<double> n = y * Vector256.Create(InvLn2) + shifter;
        Vector256<double> k = n - shifter;
        Vector256<double> r = (y - k * Vector256.Create(Ln2Hi)) - k * Vector256.Create(Ln2Lo);
        Vector256<double> r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
        Vector256<double> q01 = (Vector256.Create(F2) + Vector256.Create(F3) * r) + (Vector256.Create(F4) + Vector256.Create(F5) * r) * r2;
        Vector256<double> q23 = (Vector256.Create(F6) + Vector256.Create(F7) * r) + (Vector256.Create(F8) + Vector256.Create(F9) * r) * r2;
        Vector256<double> q45 = (Vector256.Create(F10) + Vector256.Create(F11) * r) + (Vector256.Create(F12) + Vector256.Create(F13) * r) * r2;
        Vector256<double> q = (q01 + q23 * r4) + (q45 + Vector256.Create(F14) * r4) * r8;
        Vector256<double> em = r + r2 * q;
        Vector256<double> s = ((n.AsInt64() - Vector256.Create(BitConverter.DoubleToInt64Bits(Shifter) - 1023)) << 52).AsDouble();
        Vector256<double> m = s * em + (s - Vector256.Create(1.0));
        Vector256<double> t = m / (m + Vector256.Create(2.0));
        Vector256<double> signed = Vector256.AndNot(t, signMask) | (x & signMask); // copysign(t, x)
        return Vector256.ConditionalSelect(Vector256.Equals(x, x), signed, x);
    }

    /// <summary>sin x (within 2 ulp for |x| ≤ 10⁵; deterministic but less accurate beyond 2²⁰·π/2).</summary>
    public static double Sin(double x) => SinCos(x, 0);

    /// <summary>cos x (within 2 ulp for |x| ≤ 10⁵; deterministic but less accurate beyond 2²⁰·π/2).</summary>
    public static double Cos(double x) => SinCos(x, 1);

    /// <summary>sin(x + shift·π/2): reduce by k = round(2x/π) in three parts, then the quadrant's series.</summary>
    private static double SinCos(double x, int shift)
    {
        if (!double.IsFinite(x))
        {
            return double.NaN;
        }

        double n = x * TwoOverPi + Shifter;
        double k = n - Shifter;
        double r = ((x - k * PiHalf1) - k * PiHalf2) - k * PiHalf3; // |r| ≤ π/4 (plus rounding)
        int quadrant = (int)((BitConverter.DoubleToInt64Bits(n) + shift) & 3);
        double z = r * r;
        double value;
        if ((quadrant & 1) == 0)
        {
            // sin r = r − r³/3! + … − r¹⁹/19!
            double q = -1.0 / 121645100408832000;
            q = q * z + 1.0 / 355687428096000;
            q = q * z - 1.0 / 1307674368000;
            q = q * z + 1.0 / 6227020800;
            q = q * z - 1.0 / 39916800;
            q = q * z + 1.0 / 362880;
            q = q * z - 1.0 / 5040;
            q = q * z + 1.0 / 120;
            q = q * z - 1.0 / 6;
            value = r + r * z * q;
        }
        else
        {
            // cos r = 1 − r²/2! + … + r¹⁸/18!
            double q = -1.0 / 6402373705728000;
            q = q * z + 1.0 / 20922789888000;
            q = q * z - 1.0 / 87178291200;
            q = q * z + 1.0 / 479001600;
            q = q * z - 1.0 / 3628800;
            q = q * z + 1.0 / 40320;
            q = q * z - 1.0 / 720;
            q = q * z + 1.0 / 24;
            value = 1.0 - 0.5 * z + z * z * q;
        }

        return quadrant >= 2 ? -value : value;
    }

    /// <summary>
    /// xʸ for x &gt; 0 as exp(y·ln x): relative error about (1 + 2|y·ln x|) ulp, so best where |y·ln x| is small (Adam's
    /// bias corrections βᵗ). NaN for x ≤ 0 or NaN.
    /// </summary>
    public static double Pow(double x, double y) => x > 0 ? Exp(y * Log(x)) : double.NaN;
}
