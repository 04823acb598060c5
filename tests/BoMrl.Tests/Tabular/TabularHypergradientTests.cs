using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Tabular;
using BoMrl.Tabular.Adaptation;
using BoMrl.Tabular.Meta;
using Xunit.Abstractions;

namespace BoMrl.Tests.Tabular;

public class TabularHypergradientTests(ITestOutputHelper output)
{
    private static double JAfter(TabularMdp mdp, TabularAdaptation alg, double[] phi) =>
        TabularMetaTraining.Step(mdp, phi, alg, QEstimator.Exact, null, withGradient: false).PostAdaptationReturn;

    private double CheckAgainstFiniteDifferences(TabularAdaptation alg, int instance, Action<double[], PolicyEvaluation, double[], PolicyEvaluation, double[]>? method = null)
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, instance);
        TabularMdp mdp = TabularTestKit.RandomMdp(3 + instance % 3, 2 + instance % 3, rng);
        double[] phi = TabularTestKit.RandomLogits(mdp.PairCount, rng);
        PolicyEvaluation atPhi = PolicyEvaluation.OfLogits(mdp, phi);
        double[] theta = alg.Adapt(phi, atPhi);
        PolicyEvaluation atPrime = PolicyEvaluation.OfLogits(mdp, theta);
        double[] grad = new double[phi.Length];
        if (method is null)
        {
            TabularHypergradient.Compute(alg, phi, atPhi, theta, atPrime, grad);
        }
        else
        {
            method(phi, atPhi, theta, atPrime, grad);
        }

        double[] fd = TabularTestKit.FiniteDifferenceGradient(x => JAfter(mdp, alg, x), phi);
        double err = TabularTestKit.RelativeError(grad, fd);
        output.WriteLine($"seed {TabularTestKit.Seed} instance {instance}: |S|={mdp.StateCount} |A|={mdp.ActionCount} γ={mdp.Gamma:F3} rel err {err:E2}");
        return err;
    }

    [Theory]
    [InlineData(0, 0.3)]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.1)]
    [InlineData(3, 3.0)]
    public void Hypergradient_D1_eq25_matches_finite_differences_on_random_MDPs(int instance, double lambda) =>
        Assert.True(CheckAgainstFiniteDifferences(new TabularAdaptation(Distance.KlForward, lambda), instance) <= 1e-6);

    [Theory]
    [InlineData(0, 0.3)]
    [InlineData(1, 1.0)]
    [InlineData(2, 0.1)]
    [InlineData(3, 3.0)]
    public void Hypergradient_D2_eq33_matches_finite_differences_on_random_MDPs(int instance, double lambda) =>
        Assert.True(CheckAgainstFiniteDifferences(new TabularAdaptation(Distance.KlReverse, lambda), instance) <= 1e-6);

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 0.2)]
    [InlineData(2, 0.1)]
    [InlineData(3, 1.0)]
    public void Hypergradient_D3_implicit_matches_finite_differences_on_random_MDPs(int instance, double lambda) =>
        Assert.True(CheckAgainstFiniteDifferences(new TabularAdaptation(Distance.Euclidean, lambda), instance) <= 1e-6);

    [Theory]
    [InlineData(0, 0.05)]
    [InlineData(1, 0.2)]
    [InlineData(2, 0.02)]
    public void Hypergradient_D3_per_state_implicit_matches_finite_differences(int instance, double lambda) =>
        Assert.True(CheckAgainstFiniteDifferences(new TabularAdaptation(Distance.Euclidean, lambda, weighting: EuclideanWeighting.PerState), instance) <= 1e-6);

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, 2.0)]
    [InlineData(2, 5.0)]
    public void Hypergradient_MAML_exact_matches_finite_differences_on_random_MDPs(int instance, double stepSize) =>
        Assert.True(CheckAgainstFiniteDifferences(TabularAdaptation.PolicyGradientStep(stepSize, 0.7), instance) <= 1e-6);

    [Theory]
    [InlineData(Distance.KlForward, 0, 0.4)]
    [InlineData(Distance.KlForward, 1, 2.0)]
    [InlineData(Distance.KlReverse, 0, 0.4)]
    [InlineData(Distance.KlReverse, 2, 2.0)]
    public void Hypergradient_Proposition1_general_form_matches_finite_differences(Distance distance, int instance, double lambda)
    {
        var alg = new TabularAdaptation(distance, lambda);
        double err = CheckAgainstFiniteDifferences(alg, instance,
            (phi, atPhi, theta, atPrime, g) => TabularHypergradient.Proposition1(distance, atPhi, atPrime, lambda, g));
        Assert.True(err <= 1e-6);
    }

    [Theory]
    [InlineData(Distance.KlForward)]
    [InlineData(Distance.KlReverse)]
    public void Simplified_hypergradients_25_and_33_equal_Proposition1(Distance distance)
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 77);
        TabularMdp mdp = TabularTestKit.RandomMdp(6, 4, rng);
        double[] phi = TabularTestKit.RandomLogits(mdp.PairCount, rng, 2.0);
        var alg = new TabularAdaptation(distance, 0.35);
        PolicyEvaluation atPhi = PolicyEvaluation.OfLogits(mdp, phi);
        double[] theta = alg.Adapt(phi, atPhi);
        PolicyEvaluation atPrime = PolicyEvaluation.OfLogits(mdp, theta);
        double[] general = new double[phi.Length];
        double[] simple = new double[phi.Length];
        TabularHypergradient.Proposition1(distance, atPhi, atPrime, alg.Lambda, general);
        TabularHypergradient.Compute(alg, phi, atPhi, theta, atPrime, simple);
        Assert.True(TabularTestKit.RelativeError(simple, general) <= 1e-12);
    }

    [Fact]
    public void MAML_as_computed_misses_the_dependence_of_Q_and_nu_on_phi()
    {
        Random rng = Seeds.Rng(TabularTestKit.Seed, 5);
        TabularMdp mdp = TabularTestKit.RandomMdp(4, 3, rng);
        double[] phi = TabularTestKit.RandomLogits(mdp.PairCount, rng);
        var alg = TabularAdaptation.PolicyGradientStep(3.0, mdp.Gamma);
        PolicyEvaluation atPhi = PolicyEvaluation.OfLogits(mdp, phi);
        double[] theta = alg.Adapt(phi, atPhi);
        PolicyEvaluation atPrime = PolicyEvaluation.OfLogits(mdp, theta);
        double[] asComputed = new double[phi.Length];
        TabularHypergradient.PolicyGradientStepAsComputed(atPhi, atPrime, 3.0, asComputed);
        double[] fd = TabularTestKit.FiniteDifferenceGradient(x => JAfter(mdp, alg, x), phi);
        Assert.True(TabularTestKit.RelativeError(asComputed, fd) > 1e-3);

        // ... but it is the exact derivative of the surrogate in which ν, π_old and Q are frozen at φ.
        double k = 1 / (1 - mdp.Gamma);
        double Frozen(double[] x)
        {
            double[] t = (double[])x.Clone();
            int na = mdp.ActionCount;
            for (int s = 0; s < mdp.StateCount; s++)
            {
                double[] pi = TabularSoftmax.Probabilities(x.AsSpan(s * na, na), na);
                for (int a = 0; a < na; a++)
                {
                    // ∂/∂x(s,a) of Σ_b π_old(b) log π_x(b) Q(b) = π_old(a)Q(a) − π_x(a) Σ_b π_old(b) Q(b)
                    double g = atPhi.Pi[s * na + a] * atPhi.Q[s * na + a] - pi[a] * atPhi.V[s];
                    t[s * na + a] = x[s * na + a] + 3.0 * k * atPhi.Nu[s] * g;
                }
            }

            return PolicyEvaluation.OfLogits(mdp, t).Return;
        }

        double[] fdFrozen = TabularTestKit.FiniteDifferenceGradient(Frozen, phi);
        Assert.True(TabularTestKit.RelativeError(asComputed, fdFrozen) <= 1e-6);
    }
}
