using BoMrl.DistanceKinds;
using BoMrl.Environments.FrozenLake;
using BoMrl.Numerics;
using BoMrl.Tabular;
using BoMrl.Tabular.Adaptation;
using BoMrl.Tabular.Meta;
using Xunit.Abstractions;

namespace BoMrl.Tests.Tabular;

/// <summary>
/// λ as a meta-parameter on Frozen Lake (Algorithm 1, exact Q): dJ/dλ against finite differences, the ∇_φQ term that
/// eq. (8)'s sampled form drops, and meta-training with a learned λ.
/// </summary>
public class TabularLambdaTests(ITestOutputHelper output)
{
    private static TabularMdp[] Lakes(int count) =>
        new FrozenLakeDistribution(4, 0.3, true, 0.8).SampleTasks(count, 1, TabularTestKit.Seed).Train;

    private static double JAfter(TabularMdp mdp, TabularAdaptation alg, double[] phi) =>
        TabularMetaTraining.Step(mdp, phi, alg, QEstimator.Exact, null, withGradient: false).PostAdaptationReturn;

    [Theory]
    [InlineData(Distance.KlForward, 0.5)]
    [InlineData(Distance.KlReverse, 0.5)]
    [InlineData(Distance.Euclidean, 0.04)]
    [InlineData(Distance.KlReverse, 2.0)]
    public void Lambda_derivative_matches_finite_differences_on_frozen_lake(Distance distance, double lambda)
    {
        TabularMdp lake = Lakes(1)[0];
        double[] phi = TabularTestKit.RandomLogits(lake.PairCount, Seeds.Rng(TabularTestKit.Seed, 91));
        var alg = new TabularAdaptation(distance, lambda);
        TaskStep step = TabularMetaTraining.Step(lake, phi, alg, QEstimator.Exact, null, withGradient: true, withLambdaDerivative: true);
        double analytic = step.LambdaDerivative!.Value;
        double fd = FiniteDifference.Partial(l => JAfter(lake, alg.WithLambda(l[0]), phi), [lambda], 0, 1e-3 * lambda);
        double err = Math.Abs(analytic - fd) / Math.Max(Math.Abs(fd), 1e-12);
        output.WriteLine($"{distance} λ={lambda}: dJ/dλ {analytic:E8}, FD {fd:E8}, relative error {err:E2}");
        Assert.True(err <= 1e-6, $"{distance}: {analytic} vs {fd} ({err:E2})");
    }

    /// <summary>
    /// D2's exact hypergradient (eq. 33) is (1/λ)∇_φQᵀw + w with w = ν'π'A'/(1−γ); the "eq. (8)-style" gradient that
    /// treats Q^{π_φ} as data keeps only w (the inner objective's φ-dependence through its distance) and misses the exact
    /// derivative by far, while the full one matches finite differences.
    /// </summary>
    [Fact]
    public void Dropping_the_gradient_of_Q_misses_the_exact_meta_gradient()
    {
        TabularMdp lake = Lakes(1)[0];
        double[] phi = TabularTestKit.RandomLogits(lake.PairCount, Seeds.Rng(TabularTestKit.Seed, 92));
        var alg = new TabularAdaptation(Distance.KlReverse, 0.5);
        PolicyEvaluation atPhi = PolicyEvaluation.OfLogits(lake, phi);
        double[] theta = alg.Adapt(phi, atPhi);
        PolicyEvaluation atPrime = PolicyEvaluation.OfLogits(lake, theta);
        var full = new double[phi.Length];
        TabularHypergradient.Compute(alg, phi, atPhi, theta, atPrime, full);
        int na = lake.ActionCount;
        var eq8Style = new double[phi.Length];
        for (int sa = 0; sa < eq8Style.Length; sa++)
        {
            eq8Style[sa] = atPrime.Nu[sa / na] * atPrime.Pi[sa] * atPrime.A[sa] / (1 - lake.Gamma);
        }

        double[] fd = TabularTestKit.FiniteDifferenceGradient(x => JAfter(lake, alg, x), phi);
        double errFull = TabularTestKit.RelativeError(full, fd), errEq8 = TabularTestKit.RelativeError(eq8Style, fd);
        output.WriteLine($"D2 λ=0.5: full (eq. 33) {errFull:E2}, without ∇_φQ {errEq8:E2}");
        Assert.True(errFull <= 1e-6, $"full {errFull:E2}");
        Assert.True(errEq8 > 1e-2, $"without ∇_φQ {errEq8:E2}");
    }

    [Theory]
    [InlineData(Distance.KlReverse)]
    [InlineData(Distance.Euclidean)]
    public void Meta_learned_lambda_moves_deterministically_and_raises_the_meta_objective(Distance distance)
    {
        TabularMdp[] lakes = Lakes(4);
        int n = lakes[0].PairCount;
        var alg = new TabularAdaptation(distance, distance == Distance.Euclidean ? 0.04 : 0.5);
        var options = new MetaTrainingOptions(6, 0.5 * 16, 4, 7, Threads: 2, LearnLambda: true, LambdaLearningRate: 2.0);
        MetaTrainingResult a = TabularMetaTraining.Train(lakes, alg, QEstimator.Exact, options, new double[n]);
        MetaTrainingResult b = TabularMetaTraining.Train(lakes, alg, QEstimator.Exact, options with { Threads = 1 }, new double[n]);
        Assert.Equal(a.Lambdas, b.Lambdas);
        Assert.Equal(a.Phi, b.Phi);
        Assert.Equal(alg.Lambda, a.Lambdas![0]);
        Assert.NotEqual(a.Lambdas[0], a.Lambdas[^1]);

        // One ℓ step from the start, φ held: F rises for a small enough step (dF/dℓ = λ·mean dJ/dλ).
        double[] phi0 = new double[n];
        double f0 = TabularMetaTraining.MetaObjective(lakes, phi0, alg);
        double slope = lakes.Average(t => TabularMetaTraining.Step(t, phi0, alg, QEstimator.Exact, null, true, true).LambdaDerivative!.Value) * alg.Lambda;
        double f1 = TabularMetaTraining.MetaObjective(lakes, phi0, alg.WithLambda(alg.Lambda * Math.Exp(1e-2 * Math.Sign(slope))));
        output.WriteLine($"{distance}: λ {a.Lambdas[0]} → {a.Adaptation!.Lambda:G6}; dF/dℓ at start {slope:E3}; F {f0:F6} → {f1:F6}");
        Assert.True(f1 > f0, $"an ℓ step along dF/dℓ = {slope} should raise F: {f0} → {f1}");
    }
}
