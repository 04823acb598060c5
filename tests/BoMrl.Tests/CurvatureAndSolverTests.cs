using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>Hessian-vector products, conjugate gradient and Adam (item 9).</summary>
public class CurvatureAndSolverTests
{
    [Theory]
    [InlineData("gaussian")]
    [InlineData("categorical")]
    public void Hessian_vector_products_match_an_explicit_hessian_on_a_tiny_net(string kind)
    {
        IDifferentiablePolicy policy = kind == "gaussian"
            ? new GaussianMlpPolicy(2, 1, [3], LogStdMode.Parameter, -0.2)
            : new CategoricalMlpPolicy(2, 3, [3]);
        Random rng = TestSeed.Rng(21, kind.Length);
        double[] phi = TinyPolicies.Theta(policy, rng);
        double[] theta = (double[])phi.Clone();
        for (int i = 0; i < theta.Length; i++)
        {
            theta[i] += 0.1 * rng.NextGaussian();
        }

        PolicyBatch batch = TinyPolicies.Batch(policy, 6, rng);
        double[] reference = TinyPolicies.Dists(policy, phi, batch);
        double[] behaviour = TinyPolicies.LogProbs(policy, phi, batch);
        var ev = new BatchObjectives(policy);
        int n = policy.ParameterCount;
        var tmp = new double[n];

        // The shape of the inner objective (7): h-surrogate minus λ·KL(π_φ‖π_θ).
        double Value(double[] t) => ev.RatioSurrogate(t, batch, behaviour, true, []) - 0.7 * ev.MeanKl(t, batch, reference, KlDirection.ReferenceFirst, []);
        void Gradient(ReadOnlySpan<double> t, Span<double> g)
        {
            ev.RatioSurrogate(t, batch, behaviour, true, g);
            ev.MeanKl(t, batch, reference, KlDirection.ReferenceFirst, tmp);
            for (int i = 0; i < g.Length; i++)
            {
                g[i] -= 0.7 * tmp[i];
            }
        }

        double[,] hessian = FiniteDifferences.Hessian(Value, theta);
        var scratch = new double[2 * n];
        var hv = new double[n];
        for (int trial = 0; trial < 4; trial++)
        {
            var v = new double[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = rng.NextGaussian();
            }

            HessianVector.CentralDifference(Gradient, theta, v, hv, scratch);
            var g0 = new double[n];
            Gradient(theta, g0);
            var hvForward = new double[n];
            HessianVector.ForwardDifference(Gradient, theta, g0, v, hvForward, scratch);
            var expected = new double[n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    expected[i] += hessian[i, j] * v[j];
                }
            }

            double err = FiniteDifferences.RelativeError(hv, expected);
            double errForward = FiniteDifferences.RelativeError(hvForward, expected);
            Console.WriteLine($"hvp {kind}: central {err:E2}, forward {errForward:E2}");
            Assert.True(err <= 1e-6, $"{kind}: central HVP relative error {err:E2}{TestSeed.Note}");
            Assert.True(errForward <= 1e-6, $"{kind}: forward HVP relative error {errForward:E2}{TestSeed.Note}");
        }
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(-3.0)]
    [InlineData(2.0)]
    public void Hessian_vector_steps_use_the_largest_absolute_entry_whatever_its_sign(double extreme)
    {
        // f(x) = Σ c_i x_i⁴ / 12: ∇²f = diag(c_i x_i²). x's entry of largest magnitude is `extreme`; a step scaled
        // by 1 + (signed) max-magnitude is 0 for −1 (a NaN product) and negative for −3.
        double[] c = [1.0, 2.0, 0.5, 3.0];
        double[] x = [0.3, extreme, -0.2, 0.7];
        void Gradient(ReadOnlySpan<double> t, Span<double> g)
        {
            for (int i = 0; i < t.Length; i++)
            {
                g[i] = c[i] * t[i] * t[i] * t[i] / 3.0;
            }
        }

        double[] v = [0.4, -1.1, 0.9, 0.25];
        var expected = new double[4];
        for (int i = 0; i < 4; i++)
        {
            expected[i] = c[i] * x[i] * x[i] * v[i];
        }

        Assert.True(HessianVector.Step(x) > 0, $"central step {HessianVector.Step(x)} at max-magnitude entry {extreme}");
        var scratch = new double[8];
        var central = new double[4];
        HessianVector.CentralDifference(Gradient, x, v, central, scratch);
        var g0 = new double[4];
        Gradient(x, g0);
        var forward = new double[4];
        HessianVector.ForwardDifference(Gradient, x, g0, v, forward, scratch);
        Assert.True(FiniteDifferences.RelativeError(central, expected) <= 1e-8, $"central {string.Join(", ", central)}");
        Assert.True(FiniteDifferences.RelativeError(forward, expected) <= 1e-6, $"forward {string.Join(", ", forward)}");
    }

    private static double[,] RandomSpd(int n, Random rng, double minEigen)
    {
        var b = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                b[i, j] = rng.NextGaussian();
            }
        }

        var a = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int k = 0; k < n; k++)
                {
                    a[i, j] += b[k, i] * b[k, j] / n;
                }
            }

            a[i, i] += minEigen;
        }

        return a;
    }

    private static LinearOperator Operator(double[,] a) => (v, y) =>
    {
        int n = v.Length;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++)
            {
                s += a[i, j] * v[j];
            }

            y[i] = s;
        }
    };

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(30)]
    public void Conjugate_gradient_solves_spd_systems_and_reports_the_true_residual(int n)
    {
        Random rng = TestSeed.Rng(22, n);
        double[,] a = RandomSpd(n, rng, 0.1);
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            b[i] = rng.NextGaussian();
        }

        var x = new double[n];
        CgResult result = new ConjugateGradient(n).Solve(Operator(a), b, x, maxIterations: 10 * n, tolerance: 1e-12);
        Assert.True(result.Converged, $"not converged: {result}{TestSeed.Note}");
        Assert.False(result.NegativeCurvature);
        var ax = new double[n];
        Operator(a)(x, ax);
        double trueResidual = 0, bNorm = 0;
        for (int i = 0; i < n; i++)
        {
            trueResidual += (ax[i] - b[i]) * (ax[i] - b[i]);
            bNorm += b[i] * b[i];
        }

        Assert.True(Math.Sqrt(trueResidual / bNorm) <= 1e-10, $"true residual {Math.Sqrt(trueResidual / bNorm):E2}{TestSeed.Note}");
        Assert.True(Math.Abs(Math.Sqrt(trueResidual) - result.Residual) <= 1e-9 * Math.Sqrt(bNorm));
    }

    [Fact]
    public void Conjugate_gradient_applies_damping_and_respects_the_iteration_cap()
    {
        const int n = 12;
        Random rng = TestSeed.Rng(23);
        double[,] a = RandomSpd(n, rng, 0.01);
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            b[i] = rng.NextGaussian();
        }

        var damped = (double[,])a.Clone();
        for (int i = 0; i < n; i++)
        {
            damped[i, i] += 0.5;
        }

        var x1 = new double[n];
        var x2 = new double[n];
        var cg = new ConjugateGradient(n);
        cg.Solve(Operator(a), b, x1, 100, damping: 0.5, tolerance: 1e-13);
        cg.Solve(Operator(damped), b, x2, 100, tolerance: 1e-13);
        Assert.True(FiniteDifferences.RelativeError(x1, x2) <= 1e-10);

        CgResult capped = cg.Solve(Operator(a), b, x1, maxIterations: 3, tolerance: 1e-13);
        Assert.Equal(3, capped.Iterations);
        Assert.False(capped.Converged);
        var ax = new double[n];
        Operator(a)(x1, ax);
        double trueResidual = 0, bNorm = 0;
        for (int i = 0; i < n; i++)
        {
            trueResidual += (ax[i] - b[i]) * (ax[i] - b[i]);
            bNorm += b[i] * b[i];
        }

        Assert.True(capped.RelativeResidual > 1e-6, "three iterations cannot solve a 12-dimensional system");
        Assert.Equal(Math.Sqrt(trueResidual / bNorm), capped.RelativeResidual, 8);
    }

    [Fact]
    public void Conjugate_gradient_stops_and_reports_negative_curvature()
    {
        double[,] a = { { 1, 0, 0 }, { 0, -2, 0 }, { 0, 0, 3 } };
        var x = new double[3];
        CgResult r = new ConjugateGradient(3).Solve(Operator(a), [1.0, 1.0, 1.0], x, 10);
        Assert.True(r.NegativeCurvature);
        Assert.False(r.Converged);
        Assert.All(x, v => Assert.True(double.IsFinite(v)));

        CgResult first = new ConjugateGradient(1).Solve(Operator(new double[,] { { -1 } }), [2.0], x.AsSpan(0, 1), 5);
        Assert.True(first.NegativeCurvature);
        Assert.Equal(0, first.Iterations);
        Assert.Equal(2.0, x[0]); // falls back to the right-hand side
    }

    [Fact]
    public void Adam_minimises_an_ill_conditioned_quadratic_and_restores_its_state()
    {
        double[] scales = [1.0, 100.0, 0.01];
        var theta = new double[] { 3, -2, 5 };
        var g = new double[3];
        var adam = new Adam(3, 0.05);
        for (int t = 0; t < 3000; t++)
        {
            for (int i = 0; i < 3; i++)
            {
                g[i] = scales[i] * (theta[i] - i);
            }

            adam.Step(theta, g);
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(i, theta[i], 2);
        }

        double[] state = adam.GetState();
        var copy = new Adam(3, 0.05);
        copy.SetState(state);
        double[] a = (double[])theta.Clone(), b = (double[])theta.Clone();
        g[0] = 0.3;
        adam.Step(a, g);
        copy.Step(b, g);
        Assert.Equal(a, b);
    }
}
