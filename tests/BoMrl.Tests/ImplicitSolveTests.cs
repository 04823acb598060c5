using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Tests;

/// <summary>Eq. (8)'s implicit solve: damping raised until the solve is sound, indefinite H handled.</summary>
public sealed class ImplicitSolveTests
{
    private static LinearOperator Diagonal(double[] d) => (v, r) =>
    {
        for (int i = 0; i < d.Length; i++)
        {
            r[i] = d[i] * v[i];
        }
    };

    [Fact]
    public void A_positive_definite_H_is_solved_with_the_configured_damping()
    {
        var solver = new Hypergradient(3, new HypergradientOptions(CgIterations: 10, Damping: 0.5));
        double[] b = [1.0, -2.0, 0.5];
        var x = new double[3];
        ImplicitSolve s = solver.Solve(Diagonal([1.0, 2.0, 3.0]), b, x);
        Assert.False(s.Indefinite);
        Assert.Equal(0.5, s.Damping);
        double[] expected = [1.0 / 1.5, -2.0 / 2.5, 0.5 / 3.5];
        Assert.True(FiniteDifferences.RelativeError(x, expected) < 1e-12);
    }

    [Fact]
    public void An_indefinite_H_raises_the_damping_until_the_solve_is_sound()
    {
        // H = diag(−1.9, 2, 3), b = (1, 0.1, 0.1): δ = 0.5 meets negative curvature; δ = 2 gives x₁ = 10, outside
        // 2‖b‖/δ ≈ 1.02 (so λ_min(H) < −δ/2); δ = 8 is accepted.
        var solver = new Hypergradient(3, new HypergradientOptions(CgIterations: 10, Damping: 0.5));
        double[] b = [1.0, 0.1, 0.1];
        var x = new double[3];
        ImplicitSolve s = solver.Solve(Diagonal([-1.9, 2.0, 3.0]), b, x);
        Assert.True(s.Indefinite);
        Assert.Equal(8.0, s.Damping);
        double[] expected = [1.0 / 6.1, 0.1 / 10.0, 0.1 / 11.0];
        Assert.True(FiniteDifferences.RelativeError(x, expected) < 1e-12);
    }

    [Fact]
    public void Without_increases_an_indefinite_solve_is_pulled_back_into_the_ball()
    {
        var solver = new Hypergradient(2, new HypergradientOptions(CgIterations: 10, Damping: 0.1, DampingIncreases: 0));
        double[] b = [1.0, 1.0];
        var x = new double[2];
        ImplicitSolve s = solver.Solve(Diagonal([-0.09, 5.0]), b, x); // H + δI = diag(0.01, 5.1): x₁ = 100
        Assert.True(s.Indefinite);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.Norm<double>(x) <= 2 * Math.Sqrt(2) / 0.1 * (1 + 1e-12));
    }

    [Fact]
    public void A_slightly_indefinite_H_keeps_the_configured_damping()
    {
        var solver = new Hypergradient(2, new HypergradientOptions(CgIterations: 10, Damping: 0.5));
        double[] b = [1.0, 1.0];
        var x = new double[2];
        ImplicitSolve s = solver.Solve(Diagonal([-0.1, 1.0]), b, x); // λ_min(H) = −0.1 ≥ −δ/2
        Assert.False(s.Indefinite);
        Assert.Equal(0.5, s.Damping);
        Assert.True(FiniteDifferences.RelativeError(x, [1.0 / 0.4, 1.0 / 1.5]) < 1e-12);
    }
}
