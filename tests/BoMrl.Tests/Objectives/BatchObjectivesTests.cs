using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>Every hand-written policy gradient against fourth-order central finite differences (docs/design.md §4b, "Acceptance").</summary>
public class PolicyGradientTests
{
    private const double Tolerance = 1e-6;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string kind in TinyPolicies.Kinds)
        {
            foreach (string objective in new[] { "log-prob", "kl-reference-first", "kl-policy-first", "entropy", "surrogate-h", "surrogate-ratio" })
            {
                data.Add(kind, objective);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Objective_gradient_matches_finite_differences(string kind, string objective)
    {
        IDifferentiablePolicy policy = TinyPolicies.Create(kind);
        Random rng = TestSeed.Rng(kind.Length, objective.Length, objective[^1]);
        double[] theta = TinyPolicies.Theta(policy, rng);
        double[] phi = TinyPolicies.Theta(policy, rng, 0.1);
        for (int i = 0; i < phi.Length; i++)
        {
            phi[i] = theta[i] + 0.2 * (phi[i] - policy.InitialParameters(TestSeed.Rng(1))[i]);
        }

        PolicyBatch batch = TinyPolicies.Batch(policy, 9, rng);
        double[] reference = TinyPolicies.Dists(policy, phi, batch);
        double[] behaviour = TinyPolicies.LogProbs(policy, phi, batch);
        double[] coef = new double[batch.Rows];
        for (int r = 0; r < coef.Length; r++)
        {
            coef[r] = BoMrl.Numerics.Seeds.NextGaussian(rng);
        }

        var ev = new BatchObjectives(policy);
        double F(double[] t, Span<double> g) => objective switch
        {
            "log-prob" => ev.WeightedLogProb(t, batch, coef, g),
            "kl-reference-first" => ev.MeanKl(t, batch, reference, KlDirection.ReferenceFirst, g),
            "kl-policy-first" => ev.MeanKl(t, batch, reference, KlDirection.PolicyFirst, g),
            "entropy" => ev.MeanEntropy(t, batch, g),
            "surrogate-h" => ev.RatioSurrogate(t, batch, behaviour, clipped: true, g),
            "surrogate-ratio" => ev.RatioSurrogate(t, batch, behaviour, clipped: false, g),
            _ => throw new ArgumentOutOfRangeException(nameof(objective)),
        };

        var grad = new double[policy.ParameterCount];
        double value = F(theta, grad);
        double[] fd = FiniteDifferences.Gradient(t => F(t, []), theta);
        Assert.True(double.IsFinite(value));
        double err = FiniteDifferences.RelativeError(grad, fd);
        Console.WriteLine($"gradcheck {kind} {objective}: {err:E2}");
        Assert.True(err <= Tolerance, $"{kind} {objective}: relative error {err:E2}{TestSeed.Note}");
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("gaussian-mlp-std")]
    [InlineData("categorical")]
    public void Kl_between_two_policies_has_exact_gradients_in_both_arguments(string kind)
    {
        IDifferentiablePolicy policy = TinyPolicies.Create(kind);
        Random rng = TestSeed.Rng(7, kind.Length);
        double[] a = TinyPolicies.Theta(policy, rng), b = TinyPolicies.Theta(policy, rng);
        PolicyBatch batch = TinyPolicies.Batch(policy, 8, rng);
        var ev = new BatchObjectives(policy);
        var ga = new double[a.Length];
        var gb = new double[b.Length];
        ev.MeanKlBetween(a, b, batch, ga, gb);
        double[] fdA = FiniteDifferences.Gradient(t => ev.MeanKlBetween(t, b, batch, [], []), a);
        double[] fdB = FiniteDifferences.Gradient(t => ev.MeanKlBetween(a, t, batch, [], []), b);
        Assert.True(FiniteDifferences.RelativeError(ga, fdA) <= Tolerance, $"∇_p: {FiniteDifferences.RelativeError(ga, fdA):E2}{TestSeed.Note}");
        Assert.True(FiniteDifferences.RelativeError(gb, fdB) <= Tolerance, $"∇_q: {FiniteDifferences.RelativeError(gb, fdB):E2}{TestSeed.Note}");
    }

    [Theory]
    [InlineData("gaussian")]
    [InlineData("gaussian-mlp-std")]
    [InlineData("categorical")]
    public void Kl_is_nonnegative_and_zero_only_against_itself(string kind)
    {
        IDifferentiablePolicy policy = TinyPolicies.Create(kind);
        Random rng = TestSeed.Rng(8, kind.Length);
        var ev = new BatchObjectives(policy);
        PolicyBatch batch = TinyPolicies.Batch(policy, 16, rng);
        for (int trial = 0; trial < 20; trial++)
        {
            double[] a = TinyPolicies.Theta(policy, rng, 1.0), b = TinyPolicies.Theta(policy, rng, 1.0);
            Assert.True(ev.MeanKlBetween(a, b, batch, [], []) > 0);
            Assert.Equal(0.0, ev.MeanKlBetween(a, a, batch, [], []), 12);
        }
    }

    [Fact]
    public void Gaussian_samples_are_mean_plus_std_times_noise()
    {
        var policy = new GaussianMlpPolicy(3, 2, [4], LogStdMode.Parameter, initialLogStd: 0.5);
        Random rng = TestSeed.Rng(9);
        double[] theta = policy.InitialParameters(rng);
        int rows = 5;
        var obs = new double[rows * 3];
        for (int i = 0; i < obs.Length; i++)
        {
            obs[i] = rng.NextDouble();
        }

        var noise = new double[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            policy.DrawNoise(rng, noise.AsSpan(r * 2, 2));
        }

        var zero = new double[rows * 2];
        var actions = new double[rows * 2];
        var means = new double[rows * 2];
        var scratch = new double[policy.ScratchSize(rows)];
        policy.SampleActions(theta, obs, rows, noise, actions, scratch);
        policy.SampleActions(theta, obs, rows, zero, means, scratch);
        for (int i = 0; i < actions.Length; i++)
        {
            Assert.Equal(means[i] + Math.Exp(0.5) * noise[i], actions[i], 12);
        }
    }

    [Fact]
    public void Categorical_sampling_frequencies_match_the_softmax()
    {
        var policy = new CategoricalMlpPolicy(2, 3, [4]);
        Random rng = TestSeed.Rng(10);
        double[] theta = TinyPolicies.Theta(policy, rng, 1.0);
        const int rows = 20000;
        var obs = new double[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            obs[2 * r] = 0.3;
            obs[2 * r + 1] = -0.7;
        }

        var noise = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            policy.DrawNoise(rng, noise.AsSpan(r, 1));
        }

        var actions = new double[rows];
        policy.SampleActions(theta, obs, rows, noise, actions, new double[policy.ScratchSize(rows)]);
        var batch = new PolicyBatch(1, 2, 1, [0.3, -0.7], [0.0], [0.0], [1.0]);
        for (int k = 0; k < 3; k++)
        {
            batch.Actions[0] = k;
            double p = Math.Exp(TinyPolicies.LogProbs(policy, theta, batch)[0]);
            double freq = actions.Count(x => x == k) / (double)rows;
            Assert.True(Math.Abs(freq - p) < 4 * Math.Sqrt(p * (1 - p) / rows), $"action {k}: {freq} vs {p}{TestSeed.Note}");
        }
    }
}
