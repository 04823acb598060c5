using BoMrl.Numerics;
using BoMrl.Tabular;

namespace BoMrl.Tests.Tabular;

public class TabularToolkitTests
{
    [Fact]
    public void Exact_evaluation_satisfies_the_Bellman_equations_and_nu_sums_to_one()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 100);
        TabularMdp mdp = TabularTestKit.RandomMdp(6, 3, rng);
        PolicyEvaluation e = PolicyEvaluation.OfLogits(mdp, TabularTestKit.RandomLogits(mdp.PairCount, rng));
        int ns = mdp.StateCount;
        int na = mdp.ActionCount;
        for (int s = 0; s < ns; s++)
        {
            double v = 0;
            double sumPiA = 0;
            for (int a = 0; a < na; a++)
            {
                v += e.Pi[s * na + a] * e.Q[s * na + a];
                sumPiA += e.Pi[s * na + a] * e.A[s * na + a];
                double q = mdp.Rewards[s * na + a];
                for (int t = 0; t < ns; t++)
                {
                    q += mdp.Gamma * mdp.Transitions[(s * na + a) * ns + t] * e.V[t];
                }

                Assert.Equal(q, e.Q[s * na + a], 12);
            }

            Assert.Equal(v, e.V[s], 12);
            Assert.Equal(0, sumPiA, 12);
        }

        Assert.Equal(1, e.Nu.Sum(), 12);
        Assert.All(e.Nu, x => Assert.True(x > 0));
        // J = E_ρ V and J = E_ν[r^π]/(1 − γ)
        double rPi = 0;
        for (int sa = 0; sa < mdp.PairCount; sa++)
        {
            rPi += e.Nu[sa / na] * e.Pi[sa] * mdp.Rewards[sa];
        }

        Assert.Equal(e.Return, rPi / (1 - mdp.Gamma), 12);
    }

    [Fact]
    public void GradQ_matches_finite_differences_explicitly_and_as_a_contraction()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 101);
        TabularMdp mdp = TabularTestKit.RandomMdp(4, 3, rng);
        double[] phi = TabularTestKit.RandomLogits(mdp.PairCount, rng);
        PolicyEvaluation e = PolicyEvaluation.OfLogits(mdp, phi);
        double[] gradQ = e.GradQ();
        int n = mdp.PairCount;
        for (int sa = 0; sa < n; sa++)
        {
            int row = sa;
            double[] fd = TabularTestKit.FiniteDifferenceGradient(x => PolicyEvaluation.OfLogits(mdp, x).Q[row], phi);
            Assert.True(TabularTestKit.RelativeError(gradQ.AsSpan(sa * n, n), fd) <= 1e-7);
        }

        double[] w = TabularTestKit.RandomLogits(n, rng);
        double[] contracted = new double[n];
        e.GradQTransposeTimes(w, contracted);
        double[] explicitProduct = new double[n];
        for (int sa = 0; sa < n; sa++)
        {
            for (int j = 0; j < n; j++)
            {
                explicitProduct[j] += w[sa] * gradQ[sa * n + j];
            }
        }

        Assert.True(TabularTestKit.RelativeError(contracted, explicitProduct) <= 1e-12);
    }

    [Fact]
    public void Policy_gradient_its_Hessian_vector_product_and_the_nu_gradient_match_finite_differences()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 102);
        TabularMdp mdp = TabularTestKit.RandomMdp(5, 3, rng);
        double[] phi = TabularTestKit.RandomLogits(mdp.PairCount, rng);
        PolicyEvaluation e = PolicyEvaluation.OfLogits(mdp, phi);
        double[] g = new double[phi.Length];
        e.PolicyGradient(g);
        Assert.True(TabularTestKit.RelativeError(g, TabularTestKit.FiniteDifferenceGradient(x => PolicyEvaluation.OfLogits(mdp, x).Return, phi)) <= 1e-8);

        double[] v = TabularTestKit.RandomLogits(phi.Length, rng);
        double[] hv = new double[phi.Length];
        e.PolicyGradientHvp(v, hv);
        double[] fdHv = TabularTestKit.FiniteDifferenceGradient(x =>
        {
            double[] gx = new double[x.Length];
            PolicyEvaluation.OfLogits(mdp, x).PolicyGradient(gx);
            return gx.Zip(v).Sum(p => p.First * p.Second);
        }, phi);
        Assert.True(TabularTestKit.RelativeError(hv, fdHv) <= 1e-8);

        double[] c = TabularTestKit.RandomLogits(mdp.StateCount, rng);
        double[] gNu = new double[phi.Length];
        e.NuWeightedGradient(c, gNu);
        double[] fdNu = TabularTestKit.FiniteDifferenceGradient(x => PolicyEvaluation.OfLogits(mdp, x).Nu.Zip(c).Sum(p => p.First * p.Second), phi);
        Assert.True(TabularTestKit.RelativeError(gNu, fdNu) <= 1e-8);
    }

    [Fact]
    public void Value_iteration_is_optimal_and_the_bounded_comparator_approaches_it()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 103);
        TabularMdp mdp = TabularTestKit.RandomMdp(6, 3, rng);
        double[] vStar = ValueIteration.OptimalValues(mdp);
        double[] vMin = ValueIteration.PessimalValues(mdp);
        // No policy beats V* or falls below V_min (random policies as witnesses).
        for (int k = 0; k < 20; k++)
        {
            PolicyEvaluation e = PolicyEvaluation.OfLogits(mdp, TabularTestKit.RandomLogits(mdp.PairCount, rng, 3));
            for (int s = 0; s < mdp.StateCount; s++)
            {
                Assert.True(e.V[s] <= vStar[s] + 1e-10);
                Assert.True(e.V[s] >= vMin[s] - 1e-10);
            }
        }

        double jStar = vStar.Zip(mdp.InitialDistribution.ToArray()).Sum(p => p.First * p.Second);
        double previous = double.NegativeInfinity;
        foreach (double b in new[] { 0.5, 1.0, 2.0, 5.0, 10.0 })
        {
            double[] theta = ValueIteration.BoundedOptimalLogits(mdp, b);
            Assert.All(theta, t => Assert.Equal(b, Math.Abs(t), 12));
            double j = PolicyEvaluation.OfLogits(mdp, theta).Return;
            Assert.True(j >= previous - 1e-12); // a larger box cannot be worse
            Assert.True(j <= jStar + 1e-12);
            // no random parameter in the box does better
            for (int k = 0; k < 20; k++)
            {
                double[] x = TabularTestKit.RandomLogits(mdp.PairCount, rng).Select(t => Math.Clamp(t * b, -b, b)).ToArray();
                Assert.True(PolicyEvaluation.OfLogits(mdp, x).Return <= j + 1e-10);
            }

            previous = j;
        }

        Assert.True(jStar - previous < 1e-3);
    }

    [Fact]
    public void Monte_Carlo_Q_converges_to_exact_Q()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 104);
        TabularMdp mdp = TabularTestKit.RandomMdp(4, 2, rng, gamma: 0.7);
        PolicyEvaluation e = PolicyEvaluation.OfLogits(mdp, TabularTestKit.RandomLogits(mdp.PairCount, rng));
        double previous = double.PositiveInfinity;
        foreach (int k in new[] { 25, 400, 6400 })
        {
            double[] qHat = new double[mdp.PairCount];
            long steps = new MonteCarloQ(k, 80).Estimate(mdp, e.Pi, Seeds.Rng(TabularTestKit.Seed, 105, k), qHat);
            Assert.True(steps > 0);
            double err = Math.Sqrt(qHat.Zip(e.Q).Average(p => (p.First - p.Second) * (p.First - p.Second)));
            // returns lie in [−1/(1−γ), 1/(1−γ)]: standard error ≤ 3.4/√k; allow 4 standard errors
            Assert.True(err <= 4 * 3.4 / Math.Sqrt(k), $"k={k}: rms error {err}");
            Assert.True(err < previous * 0.8 || err < 0.02);
            previous = err;
        }
    }

    [Fact]
    public void Dense_LU_solves_both_systems_and_rejects_a_singular_matrix()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 106);
        int n = 7;
        double[] m = TabularTestKit.RandomLogits(n * n, rng);
        var lu = new DenseLu(m, n);
        double[] b = TabularTestKit.RandomLogits(n, rng);
        double[] x = (double[])b.Clone();
        lu.Solve(x);
        double[] y = (double[])b.Clone();
        lu.SolveTransposed(y);
        for (int i = 0; i < n; i++)
        {
            double ax = 0;
            double aty = 0;
            for (int j = 0; j < n; j++)
            {
                ax += m[i * n + j] * x[j];
                aty += m[j * n + i] * y[j];
            }

            Assert.Equal(b[i], ax, 10);
            Assert.Equal(b[i], aty, 10);
        }

        Assert.Throws<NumericalFailureException>(() => new DenseLu(new double[] { 1, 2, 2, 4 }, 2));
    }

    [Fact]
    public void Lbfgs_minimises_the_Rosenbrock_function()
    {
        LbfgsResult r = Lbfgs.Minimize((x, g) =>
        {
            double a = 1 - x[0];
            double b = x[1] - x[0] * x[0];
            g[0] = -2 * a - 400 * x[0] * b;
            g[1] = 200 * b;
            return a * a + 100 * b * b;
        }, new double[] { -1.2, 1.0 }, 1e-10, 2000);
        Assert.True(r.Converged);
        Assert.Equal(1, r.X[0], 6);
        Assert.Equal(1, r.X[1], 6);
    }
}
