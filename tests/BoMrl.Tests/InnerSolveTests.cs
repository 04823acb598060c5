using BoMrl.Adaptation;
using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>Solving the inner problem (7) to a maximiser: the trust-region Newton solver, and the adaptation's polish steps.</summary>
public class InnerSolveTests
{
    [Fact]
    public void Trust_region_Newton_follows_negative_curvature_away_from_a_saddle_to_a_minimum()
    {
        // f = x⁴/4 − x²/2 + y²/2: a saddle at the origin, minima at (±1, 0). From next to the saddle plain Newton
        // would step onto it; the trust-region method follows the negative curvature.
        static double F(ReadOnlySpan<double> p, Span<double> g)
        {
            g[0] = p[0] * p[0] * p[0] - p[0];
            g[1] = p[1];
            return Math.Pow(p[0], 4) / 4 - p[0] * p[0] / 2 + p[1] * p[1] / 2;
        }

        LinearOperator Hessian(double[] p) => (v, hv) =>
        {
            hv[0] = (3 * p[0] * p[0] - 1) * v[0];
            hv[1] = v[1];
        };

        double[] x = [1e-3, 1.0];
        TrustRegionResult r = TrustRegionNewton.Minimize(F, Hessian, x, 1e-10, 100);
        Assert.True(r.Converged, $"{r}");
        Assert.Equal(1.0, x[0], 8);
        Assert.Equal(0.0, x[1], 8);
        Assert.Equal(-0.25, r.Value, 12);
    }

    [Fact]
    public void Trust_region_Newton_minimises_the_Rosenbrock_function()
    {
        static double F(ReadOnlySpan<double> p, Span<double> g)
        {
            double a = 1 - p[0], b = p[1] - p[0] * p[0];
            g[0] = -2 * a - 400 * p[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }

        LinearOperator Hessian(double[] p) => (v, hv) =>
        {
            hv[0] = (2 - 400 * (p[1] - 3 * p[0] * p[0])) * v[0] - 400 * p[0] * v[1];
            hv[1] = -400 * p[0] * v[0] + 200 * v[1];
        };

        double[] x = [-1.2, 1.0];
        TrustRegionResult r = TrustRegionNewton.Minimize(F, Hessian, x, 1e-10, 200);
        Assert.True(r.Converged, $"{r}");
        Assert.Equal(1.0, x[0], 8);
        Assert.Equal(1.0, x[1], 8);
    }

    [Theory]
    [InlineData("kl2", 0, 40)]
    [InlineData("kl1", 0, 40)]
    [InlineData("l2", 0, 40)]
    [InlineData("kl2", 400, 0)]
    public void Polishing_after_Adam_brings_the_inner_problem_to_a_maximiser(string distance, int lbfgs, int newton)
    {
        var policy = new GaussianMlpPolicy(2, 1, [2], LogStdMode.Parameter, -0.3);
        Random rng = TestSeed.Rng(51, distance.Length, lbfgs);
        double[] phi = TinyPolicies.Theta(policy, rng, 0.2);
        PolicyBatch batch = TinyPolicies.Batch(policy, 80, rng);
        for (int r = 0; r < batch.Rows; r++)
        {
            batch.Advantages[r] *= 0.3;
        }

        var ev = new BatchObjectives(policy);
        Assert.True(DistanceNames.TryParse(distance, out Distance d));
        var adamOnly = new AdaptationOptions(d, SurrogateKind.HClipped, distance == "l2" ? 1.0 : 4.0);
        var polished = adamOnly with { GradientTolerance = 1e-7, PolishIterations = lbfgs, NewtonIterations = newton };
        var theta = new double[phi.Length];
        AdaptationResult a = new SampledAdaptation(adamOnly, phi.Length).Adapt(ev, batch, phi, theta);
        var thetaPolished = new double[phi.Length];
        AdaptationResult p = new SampledAdaptation(polished, phi.Length).Adapt(ev, batch, phi, thetaPolished);
        Console.WriteLine($"{distance} L-BFGS {lbfgs} Newton {newton}: ‖∇L‖ Adam {a.FinalGradientNorm:E2} → polished {p.FinalGradientNorm:E2}");
        Assert.True(p.FinalGradientNorm <= 1e-7, $"‖∇L(θ')‖ = {p.FinalGradientNorm:E2}{TestSeed.Note}");
        Assert.True(a.FinalGradientNorm > 1e-4, $"Adam alone should stop short: {a.FinalGradientNorm:E2}");
        Assert.True(p.FinalObjective >= a.FinalObjective - 1e-12);

        // A maximiser: −∇²L(θ') (symmetrised, shifted by 1e-6) has a Cholesky factor, i.e. is positive semi-definite.
        int n = phi.Length;
        var h = new double[n * n];
        var e = new double[n];
        var col = new double[n];
        for (int j = 0; j < n; j++)
        {
            Array.Clear(e);
            e[j] = 1;
            p.Objective.NegativeHessianProduct(ev, thetaPolished, e, col);
            for (int i = 0; i < n; i++)
            {
                h[i * n + j] += 0.5 * col[i];
                h[j * n + i] += 0.5 * col[i];
            }
        }

        for (int i = 0; i < n; i++)
        {
            h[i * n + i] += 1e-6;
        }

        Assert.True(Cholesky.TryFactor(h, n, new double[n * n]), $"−∇²L(θ') is not positive semi-definite{TestSeed.Note}");
    }
}
