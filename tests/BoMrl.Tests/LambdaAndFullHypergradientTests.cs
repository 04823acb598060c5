using BoMrl.Adaptation;
using BoMrl.DistanceKinds;
using BoMrl.Meta;
using BoMrl.Objectives;
using BoMrl.Policies;
using static BoMrl.Tests.HypergradientTests;

namespace BoMrl.Tests;

/// <summary>
/// On the exact Gaussian bandit of <see cref="HypergradientTests"/> (J exact, inner problem solved by Newton): the
/// λ-derivative that comes with eq. (8)'s solve, the behaviour-probability term eq. (8) drops (exact, batch fixed), and
/// the score-function term of the batch's dependence on π_φ (in expectation over sampled batches).
/// </summary>
public class LambdaAndFullHypergradientTests
{
    private static readonly GaussianMlpPolicy Policy = new(2, 1, [2], LogStdMode.Parameter, -0.3);
    private static readonly HypergradientOptions Exact = new(CgIterations: 200, Damping: 0, Tolerance: 1e-14, CentralDifferences: true);

    private static AdaptationOptions Options(string distance, string surrogate, double lambda)
    {
        Assert.True(DistanceNames.TryParse(distance, out Distance d));
        Assert.True(SurrogateNames.TryParse(surrogate, out SurrogateKind s));
        return new AdaptationOptions(d, s, lambda);
    }

    /// <summary>A fixed batch of 80 states with advantages of scale 0.3 (L strongly concave near θ').</summary>
    private static PolicyBatch FixedBatch(Random rng)
    {
        PolicyBatch batch = TinyPolicies.Batch(Policy, 80, rng);
        for (int r = 0; r < batch.Rows; r++)
        {
            batch.Advantages[r] *= 0.3;
        }

        return batch;
    }

    [Theory]
    [InlineData("kl1", "h-clipped", 4.0)]
    [InlineData("kl2", "h-clipped", 4.0)]
    [InlineData("l2", "h-clipped", 1.0)]
    [InlineData("kl2", "ratio", 4.0)]
    public void Lambda_derivative_from_the_eq8_solve_matches_finite_differences(string distance, string surrogate, double lambda)
    {
        Random rng = TestSeed.Rng(41, distance.Length, surrogate.Length);
        double[] phi = TinyPolicies.Theta(Policy, rng, 0.2);
        PolicyBatch batch = FixedBatch(rng);
        var ev = new BatchObjectives(Policy);
        double[] behaviour = TinyPolicies.LogProbs(Policy, phi, batch);
        var bandit = new ExactBandit(Policy, rng);
        AdaptationOptions options = Options(distance, surrogate, lambda);
        var inner = new InnerObjective(ev, batch, options, phi, behaviour);
        double[] thetaPrime = SolveExactly(inner, ev, phi);
        var gPrime = new double[phi.Length];
        bandit.Evaluate(thetaPrime, gPrime);
        var solver = new Hypergradient(phi.Length, Exact);
        var x = new double[phi.Length];
        solver.TransposeProduct(inner, ev, thetaPrime, gPrime, new double[phi.Length], x);
        double dLambda = BoMrlHypergradient.LambdaDerivative(inner, ev, thetaPrime, x);

        double AdaptedReturn(double[] l) =>
            bandit.Evaluate(SolveExactly(new InnerObjective(ev, batch, options with { Lambda = l[0] }, phi, behaviour), ev, thetaPrime), []);

        double fd = FiniteDifferences.Gradient(AdaptedReturn, [lambda])[0];
        double err = Math.Abs(dLambda - fd) / Math.Max(Math.Abs(fd), 1e-12);
        Console.WriteLine($"dJ/dλ {distance} {surrogate}: {dLambda:E6} vs FD {fd:E6}, relative error {err:E2}");
        Assert.True(err <= 1e-6, $"dJ/dλ {dLambda} vs {fd}: {err:E2}{TestSeed.Note}");
    }

    [Theory]
    [InlineData("kl2", "h-clipped", 4.0)]
    [InlineData("l2", "h-clipped", 1.0)]
    [InlineData("kl1", "h-clipped", 4.0)]
    public void Eq8_plus_the_behaviour_term_is_exact_when_the_ratio_denominator_is_pi_phi(string distance, string surrogate, double lambda)
    {
        Random rng = TestSeed.Rng(42, distance.Length, surrogate.Length);
        double[] phi = TinyPolicies.Theta(Policy, rng, 0.2);
        PolicyBatch batch = FixedBatch(rng);
        var ev = new BatchObjectives(Policy);
        var bandit = new ExactBandit(Policy, rng);
        AdaptationOptions options = Options(distance, surrogate, lambda);
        var inner = new InnerObjective(ev, batch, options, phi); // behaviour log π_φ(a|s), recomputed at every φ
        double[] thetaPrime = SolveExactly(inner, ev, phi);
        var gPrime = new double[phi.Length];
        bandit.Evaluate(thetaPrime, gPrime);
        var solver = new Hypergradient(phi.Length, Exact);
        var eq8 = new double[phi.Length];
        var x = new double[phi.Length];
        solver.TransposeProduct(inner, ev, thetaPrime, gPrime, eq8, x);
        double[] full = (double[])eq8.Clone();
        BoMrlHypergradient.AddBehaviourTerm(inner, ev, thetaPrime, x, full);

        double[] fd = FiniteDifferences.Gradient(p => bandit.Evaluate(SolveExactly(new InnerObjective(ev, batch, options, p), ev, thetaPrime), []), phi);
        double errFull = FiniteDifferences.RelativeError(full, fd), errEq8 = FiniteDifferences.RelativeError(eq8, fd);
        Console.WriteLine($"behaviour term {distance} {surrogate}: eq8 + term {errFull:E2}, eq8 alone {errEq8:E2}");
        Assert.True(errFull <= 1e-6, $"eq. (8) + behaviour term: {errFull:E2}{TestSeed.Note}");
        Assert.True(errEq8 > 1e-3, $"eq. (8) alone should miss the term: {errEq8:E2}{TestSeed.Note}");
    }

    /// <summary>
    /// Batches sampled from π_φ by reparameterisation (a = μ_φ(s) + σ_φ(s)ε, Â = −0.15(a − c)² centred over the batch):
    /// the mean over draws of eq. (8) + behaviour term + score term (J(θ') − J(φ))·Σ∇log π_φ(a|s) agrees with the mean of
    /// the pathwise derivatives ∇_φJ(θ'(φ, B(φ, ε))) (central differences, same ε) within 4 standard errors per
    /// coordinate, while the same comparison without the score term is rejected. Both sides are unbiased for
    /// ∇_φ E_B[J(θ'(φ, B))]; the test can fail with small probability (~1e-3 per run for 10 coordinates).
    /// </summary>
    [Fact]
    public void Score_function_term_completes_the_hypergradient_in_expectation_over_sampled_batches()
    {
        Random rng = TestSeed.Rng(43);
        double[] phi = TinyPolicies.Theta(Policy, rng, 0.2);
        PolicyBatch states = TinyPolicies.Batch(Policy, 80, rng);
        var target = new double[states.Rows];
        for (int r = 0; r < target.Length; r++)
        {
            target[r] = 0.5 * BoMrl.Numerics.Seeds.NextGaussian(rng);
        }

        var ev = new BatchObjectives(Policy);
        var bandit = new ExactBandit(Policy, rng);
        AdaptationOptions options = Options("l2", "h-clipped", 2.0); // D3: H ≈ 2λI − ∇²S stays positive definite on every draw
        double jPhi = bandit.Evaluate(phi, []);
        int n = phi.Length;
        const int draws = 150;
        var withScore = new double[draws][];
        var withoutScore = new double[draws][];
        for (int k = 0; k < draws; k++)
        {
            var eps = new double[states.Rows];
            for (int r = 0; r < eps.Length; r++)
            {
                eps[r] = BoMrl.Numerics.Seeds.NextGaussian(rng);
            }

            PolicyBatch Sample(double[] p)
            {
                double[] d = TinyPolicies.Dists(Policy, p, states);
                int rows = states.Rows;
                var a = new double[rows];
                var adv = new double[rows];
                var w = new double[rows];
                for (int r = 0; r < rows; r++)
                {
                    a[r] = d[r] + Math.Exp(d[rows + r]) * eps[r];
                    adv[r] = -0.15 * (a[r] - target[r]) * (a[r] - target[r]);
                    w[r] = 1.0 / rows;
                }

                double mean = adv.Average();
                for (int r = 0; r < rows; r++)
                {
                    adv[r] -= mean;
                }

                return new PolicyBatch(rows, states.ObservationSize, 1, states.Observations, a, adv, w);
            }

            double[] start = phi;
            double F(double[] p)
            {
                PolicyBatch b = Sample(p);
                return bandit.Evaluate(SolveExactly(new InnerObjective(ev, b, options, p), ev, start), []);
            }

            PolicyBatch batch = Sample(phi);
            var inner = new InnerObjective(ev, batch, options, phi);
            double[] thetaPrime = SolveExactly(inner, ev, phi);
            start = thetaPrime;
            var gPrime = new double[n];
            double j = bandit.Evaluate(thetaPrime, gPrime);
            var solver = new Hypergradient(n, Exact);
            var estimate = new double[n];
            var x = new double[n];
            solver.TransposeProduct(inner, ev, thetaPrime, gPrime, estimate, x);
            BoMrlHypergradient.AddBehaviourTerm(inner, ev, thetaPrime, x, estimate);
            double[] path = FiniteDifferences.Gradient(F, phi, 1e-5);
            withoutScore[k] = estimate.Zip(path, (e, q) => e - q).ToArray();
            BatchScoreTerm.AddScore(ev, phi, batch, j - jPhi, estimate);
            withScore[k] = estimate.Zip(path, (e, q) => e - q).ToArray();
        }

        static double WorstZ(double[][] d) => Enumerable.Range(0, d[0].Length).Max(i =>
        {
            double[] x = d.Select(v => v[i]).ToArray();
            double m = x.Average(), se = Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Length - 1) / x.Length);
            return Math.Abs(m) / se;
        });

        double zFull = WorstZ(withScore), zEq8 = WorstZ(withoutScore);
        Console.WriteLine($"score term: worst |mean difference| / s.e. with {zFull:F2}, without {zEq8:F2}");
        Assert.True(zFull <= 4.0, $"full estimator differs from the pathwise gradient by {zFull:F2} s.e.{TestSeed.Note}");
        Assert.True(zEq8 > 6.0, $"without the score term the difference should be significant: {zEq8:F2} s.e.{TestSeed.Note}");
    }
}
