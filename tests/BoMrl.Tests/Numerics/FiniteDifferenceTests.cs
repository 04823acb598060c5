using BoMrl.Numerics;

namespace BoMrl.Tests.Numerics;

public sealed class FiniteDifferenceTests
{
    // f(t) = 3t⁴ − t³ + 0.5t² + 2t + 1: the five-point stencils are exact on quartics (their error terms carry f⁽⁵⁾ and f⁽⁶⁾),
    // so only rounding separates them from f'(0) = 2 and f''(0) = 1.
    private static double Quartic(double t) => 3 * t * t * t * t - t * t * t + 0.5 * t * t + 2 * t + 1;

    [Theory]
    [InlineData(1e-1)]
    [InlineData(1e-3)]
    public void Five_point_stencils_are_exact_on_quartics(double h)
    {
        Assert.Equal(2.0, FiniteDifference.Derivative(Quartic, h), 1e-12 / h);
        Assert.Equal(1.0, FiniteDifference.SecondDerivative(Quartic, Quartic(0), h), 1e-12 / (h * h));
    }

    [Fact]
    public void Partial_differentiates_one_coordinate_and_leaves_the_point_unchanged()
    {
        double[] x = [0.3, -1.2, 2.0];
        double F(double[] y) => y[0] * y[1] * y[1] + Math.Sin(y[2]);
        double[] copy = (double[])x.Clone();
        Assert.Equal(2 * x[0] * x[1], FiniteDifference.Partial(F, x, 1, 1e-3), 1e-10);
        Assert.Equal(Math.Cos(x[2]), FiniteDifference.Partial(F, x, 2, 1e-3), 1e-10);
        Assert.Equal(copy, x);
    }

    [Fact]
    public void The_vector_stencil_applies_the_scalar_one_entry_by_entry()
    {
        double[] p1 = [1, 2], m1 = [0.5, -1], p2 = [3, 4], m2 = [-2, 0.25];
        double[] d = new double[2];
        FiniteDifference.Central(p1, m1, p2, m2, 0.1, d);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(FiniteDifference.Central(p1[i], m1[i], p2[i], m2[i], 0.1), d[i]);
        }
    }
}
