using BoMrl.Numerics;
using Xunit.Abstractions;

namespace BoMrl.Tests.Numerics;

/// <summary>
/// The library's own exp, log, tanh, sin and cos agree with the platform's within stated ulp bounds, and their vector
/// form is bit-identical to the scalar one (docs/design.md §9).
/// </summary>
public sealed class PortableMathTests(ITestOutputHelper output)
{
    private const int Samples = 200_000;

    /// <summary>Distance in units in the last place between two finite doubles of the same sign (0 for equal bits).</summary>
    private static long Ulps(double a, double b)
    {
        if (a == b)
        {
            return 0;
        }

        if (Math.Sign(a) != Math.Sign(b))
        {
            return long.MaxValue;
        }

        return Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));
    }

    private long MaxUlps(string name, Func<double, double> ours, Func<double, double> platform, double lo, double hi, bool logScale = false)
    {
        Random rng = TestSeed.Rng(91);
        long worst = 0;
        double at = double.NaN;
        for (int i = 0; i < Samples; i++)
        {
            double u = rng.NextDouble();
            double x = logScale ? Math.Exp(Math.Log(lo) + (u * (Math.Log(hi) - Math.Log(lo)))) : lo + (u * (hi - lo));
            long d = Ulps(ours(x), platform(x));
            if (d > worst)
            {
                worst = d;
                at = x;
            }
        }

        output.WriteLine($"{name} on [{lo:G3}, {hi:G3}]: max {worst} ulp (at x = {at:R})");
        return worst;
    }

    [Fact]
    public void Exp_is_within_one_ulp_of_the_platform_over_its_whole_range()
    {
        Assert.True(MaxUlps("exp", PortableMath.Exp, Math.Exp, -745, 709.78) <= 1);
        Assert.True(MaxUlps("exp", PortableMath.Exp, Math.Exp, -1, 1) <= 1);
        Assert.True(MaxUlps("exp", PortableMath.Exp, Math.Exp, -1e-8, 1e-8) <= 1);
        Assert.Equal(1.0, PortableMath.Exp(0.0));
        Assert.Equal(double.PositiveInfinity, PortableMath.Exp(710));
        Assert.Equal(0.0, PortableMath.Exp(-746));
        Assert.Equal(double.Epsilon, PortableMath.Exp(-745.1));
        Assert.True(double.IsNaN(PortableMath.Exp(double.NaN)));
        Assert.Equal(0.0, PortableMath.Exp(double.NegativeInfinity));
    }

    [Fact]
    public void Log_is_within_one_ulp_of_the_platform_on_normal_and_subnormal_numbers()
    {
        Assert.True(MaxUlps("log", PortableMath.Log, Math.Log, 1e-300, 1e300, logScale: true) <= 1);
        Assert.True(MaxUlps("log", PortableMath.Log, Math.Log, 0.5, 2) <= 1);
        Assert.True(MaxUlps("log", PortableMath.Log, Math.Log, 1 - 1e-6, 1 + 1e-6) <= 1);
        Assert.True(MaxUlps("log", PortableMath.Log, Math.Log, 1e-320, 1e-308, logScale: true) <= 1);
        Assert.Equal(0.0, PortableMath.Log(1.0));
        Assert.Equal(double.NegativeInfinity, PortableMath.Log(0.0));
        Assert.True(double.IsNaN(PortableMath.Log(-1)));
        Assert.Equal(double.PositiveInfinity, PortableMath.Log(double.PositiveInfinity));
        Assert.Equal(Math.Log(double.Epsilon), PortableMath.Log(double.Epsilon));
    }

    [Fact]
    public void Expm1_is_within_two_ulp_of_a_reference()
    {
        // .NET has no expm1: away from 0 the reference is the platform's exp(x) − 1, itself up to 1 ulp off; near 0 the
        // series, exact to far below an ulp there.
        Assert.True(MaxUlps("expm1", PortableMath.Expm1, x => Math.Exp(x) - 1, 1, 700) <= 2);
        Assert.True(MaxUlps("expm1", PortableMath.Expm1, x => Math.Exp(x) - 1, -40, -2) <= 2);
        Assert.True(MaxUlps("expm1", PortableMath.Expm1, x => Math.Exp(x) - 1, 0.3, 2) <= 2);
        Assert.True(MaxUlps("expm1", PortableMath.Expm1, x => x + (x * x / 2) + (x * x * x / 6), -1e-6, 1e-6) <= 1);
    }

    [Fact]
    public void Tanh_is_within_three_ulp_of_the_platform()
    {
        Assert.True(MaxUlps("tanh", PortableMath.Tanh, Math.Tanh, -25, 25) <= 3);
        Assert.True(MaxUlps("tanh", PortableMath.Tanh, Math.Tanh, -1, 1) <= 3);
        Assert.True(MaxUlps("tanh", PortableMath.Tanh, Math.Tanh, 1e-12, 1e-2, logScale: true) <= 3);
        Assert.Equal(1.0, PortableMath.Tanh(double.PositiveInfinity));
        Assert.Equal(-1.0, PortableMath.Tanh(-30));
        Assert.True(double.IsNegative(PortableMath.Tanh(-0.0)) && PortableMath.Tanh(-0.0) == 0);
        Assert.True(double.IsPositive(PortableMath.Tanh(0.0)) && PortableMath.Tanh(0.0) == 0);
    }

    [Fact]
    public void Sin_and_cos_are_within_two_ulp_of_the_platform_on_the_stated_range()
    {
        Assert.True(MaxUlps("sin", PortableMath.Sin, Math.Sin, -1e5, 1e5) <= 2);
        Assert.True(MaxUlps("cos", PortableMath.Cos, Math.Cos, -1e5, 1e5) <= 2);
        Assert.True(MaxUlps("cos", PortableMath.Cos, Math.Cos, 0, 2 * Math.PI) <= 2);
        Assert.True(MaxUlps("sin", PortableMath.Sin, Math.Sin, 1e-9, 1e-1, logScale: true) <= 2);
        Assert.True(double.IsNaN(PortableMath.Cos(double.PositiveInfinity)));
    }

    [Fact]
    public void Powers_of_adam_betas_are_within_the_stated_bound_of_the_platform()
    {
        foreach (double beta in new[] { 0.9, 0.99, 0.999, 0.9999 })
        {
            for (long n = 0; n < 20_000; n += 7)
            {
                double ours = PortableMath.Pow(beta, n), platform = Math.Pow(beta, n);
                double bound = 1 + (2 * Math.Abs(n * Math.Log(beta)));
                Assert.True(platform == 0 || Ulps(ours, platform) <= bound, $"{beta}^{n}: {Ulps(ours, platform)} ulp > {bound}");
            }
        }

        Assert.Equal(1.0, PortableMath.Pow(0.9, 0));
        Assert.True(double.IsNaN(PortableMath.Pow(-1, 2)));
    }

    [Fact]
    public void Tanh_over_a_span_gives_the_scalar_bits_in_every_lane()
    {
        Random rng = TestSeed.Rng(92);
        var x = new double[4099];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-12, 3));
        }

        double[] special = [0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 20, -20, 19.999, 1e-300, -1e-300, double.Epsilon];
        special.CopyTo(x, 100);
        var y = new double[x.Length];
        PortableMath.Tanh(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(PortableMath.Tanh(x[i])), BitConverter.DoubleToInt64Bits(y[i]));
        }
    }
}
