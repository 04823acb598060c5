using BoMrl.DistanceKinds;
using BoMrl.Environments.FrozenLake;
using BoMrl.Numerics;
using BoMrl.Tabular;
using BoMrl.Tabular.Adaptation;
using BoMrl.Tabular.Theory;

namespace BoMrl.Tests.Tabular;

public class TabularTheoryTests
{
    [Theory]
    [InlineData(Distance.KlForward)]
    [InlineData(Distance.KlReverse)]
    [InlineData(Distance.Euclidean)]
    public void Squared_distance_gradient_matches_finite_differences(Distance d)
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 400, (long)d);
        var dist = new FrozenLakeDistribution(3, 0.2);
        (TabularMdp[] tasks, _, _, _) = dist.SampleTasks(2, 1, 5);
        double[] thetaStar = ValueIteration.BoundedOptimalLogits(tasks[0], 2.0);
        double[] phi = TabularTestKit.RandomLogits(tasks[0].PairCount, rng);
        double[] g = new double[phi.Length];
        TabularTheory.SquaredDistance(d, tasks[0], phi, thetaStar, g);
        double[] fd = TabularTestKit.FiniteDifferenceGradient(x => TabularTheory.SquaredDistance(d, tasks[0], x, thetaStar, Span<double>.Empty), phi);
        Assert.True(TabularTestKit.RelativeError(g, fd) <= 1e-7);
    }

    [Theory]
    [InlineData(Distance.KlForward)]
    [InlineData(Distance.KlReverse)]
    [InlineData(Distance.Euclidean)]
    public void Variance_is_minimised_and_no_other_meta_parameter_does_better(Distance d)
    {
        var dist = new FrozenLakeDistribution(3, 0.3);
        (TabularMdp[] tasks, _, _, _) = dist.SampleTasks(6, 1, 11);
        double[][] thetaStar = tasks.Select(t => ValueIteration.BoundedOptimalLogits(t, 3.0)).ToArray();
        TaskVariance v = TabularTheory.Variance(d, tasks, thetaStar);
        Assert.True(v.Converged);
        double Objective(double[] phi) => tasks.Select((t, i) => TabularTheory.SquaredDistance(d, t, phi, thetaStar[i], Span<double>.Empty)).Average();
        Assert.Equal(v.Variance, Objective(v.Center), 12);
        Random rng = Seeds.Rng(TabularTestKit.Seed, 401);
        for (int k = 0; k < 20; k++)
        {
            double[] nearby = v.Center.Select(x => x + 0.05 * rng.NextGaussian()).ToArray();
            Assert.True(Objective(nearby) >= v.Variance - 1e-12);
        }
    }

    [Theory]
    [InlineData(Distance.KlForward)]
    [InlineData(Distance.KlReverse)]
    [InlineData(Distance.Euclidean)]
    public void Optimality_bound_holds_on_a_small_instance_when_lambda_meets_its_condition(Distance d)
    {
        // Theorem 3/4's per-meta-parameter inequality J(π*) − J(Alg(π_φ)) ≤ (κ + λ)/(1 − γ) D²(π_φ, π*) at λ = κ,
        // and its expectation at the centre φ' (where the right-hand side is the bound with Var_i).
        var dist = new FrozenLakeDistribution(3, 0.3);
        (TabularMdp[] tasks, _, _, _) = dist.SampleTasks(5, 1, 13);
        double[][] thetaStar = tasks.Select(t => ValueIteration.BoundedOptimalLogits(t, 3.0)).ToArray();
        double eps = TabularTheory.Epsilon(tasks);
        double aMax = TabularTheory.AdvantageBound(tasks);
        double kappa = TabularTheory.LambdaCondition(d, 0.8, aMax, eps);
        var alg = new TabularAdaptation(d, kappa);
        TaskVariance v = TabularTheory.Variance(d, tasks, thetaStar);
        double bound = TabularTheory.Bound(d, kappa, 0.8, aMax, eps, v.Variance);
        Random rng = Seeds.Rng(TabularTestKit.Seed, 402, (long)d);
        foreach (double[] phi in new[] { v.Center, TabularTestKit.RandomLogits(tasks[0].PairCount, rng), new double[tasks[0].PairCount] })
        {
            double gapSum = 0;
            for (int i = 0; i < tasks.Length; i++)
            {
                double jStar = PolicyEvaluation.OfLogits(tasks[i], thetaStar[i]).Return;
                double jAdapted = PolicyEvaluation.OfLogits(tasks[i], alg.Adapt(phi, PolicyEvaluation.OfLogits(tasks[i], phi))).Return;
                double d2 = TabularTheory.SquaredDistance(d, tasks[i], phi, thetaStar[i], Span<double>.Empty);
                Assert.True(jStar - jAdapted <= (kappa + kappa) / (1 - 0.8) * d2 + 1e-12);
                gapSum += jStar - jAdapted;
            }

            if (ReferenceEquals(phi, v.Center))
            {
                Assert.True(gapSum / tasks.Length <= bound);
            }
        }
    }

    [Fact]
    public void Advantage_bound_dominates_every_policy_advantage()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 403);
        TabularMdp mdp = TabularTestKit.RandomMdp(5, 3, rng);
        double aMax = TabularTheory.AdvantageBound([mdp]);
        for (int k = 0; k < 50; k++)
        {
            double[] phi = TabularTestKit.RandomLogits(mdp.PairCount, rng, 4);
            Assert.True(TabularTheory.MaxAbsAdvantage([mdp], phi) <= aMax + 1e-12);
        }
    }
}
