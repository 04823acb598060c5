using BoMrl.Adaptation;
using BoMrl.DistanceKinds;
using BoMrl.Meta;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests.Meta;

/// <summary>
/// ProMP's derivatives: the likelihood-ratio (LVC) inner objective's gradient and Hessian, and the outer gradient
/// through θ'(φ) = φ + α∇S(φ), against the log-likelihood form, an explicit per-sample formula and finite differences.
/// </summary>
public class ProMpTests
{
    private const double Alpha = 0.1;

    private static double RelativeError(double[] a, double[] b)
    {
        double diff = 0, scale = 0;
        for (int i = 0; i < a.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs(a[i] - b[i]));
            scale = Math.Max(scale, Math.Max(Math.Abs(a[i]), Math.Abs(b[i])));
        }

        return diff / scale;
    }

    private static (IDifferentiablePolicy Policy, double[] PhiOld, PolicyBatch Batch) Problem(int seed, int rows = 12)
    {
        var rng = new Random(seed);
        IDifferentiablePolicy policy = TinyPolicies.Create("gaussian");
        double[] phi = TinyPolicies.Theta(policy, rng);
        return (policy, phi, TinyPolicies.Batch(policy, rows, rng));
    }

    private static double[] Shifted(double[] x, int seed, double scale)
    {
        var rng = new Random(seed);
        return x.Select(v => v + scale * BoMrl.Numerics.Seeds.NextGaussian(rng)).ToArray();
    }

    [Fact]
    public void Likelihood_ratio_gradient_at_the_behaviour_policy_equals_the_policy_gradient_and_finite_differences()
    {
        (IDifferentiablePolicy policy, double[] phiOld, PolicyBatch batch) = Problem(11);
        var ev = new BatchObjectives(policy);
        double[] behaviour = TinyPolicies.LogProbs(policy, phiOld, batch);
        var inner = new InnerObjective(ev, batch, AdaptationOptions.LikelihoodRatioStep(Alpha), phiOld, behaviour);
        double[] lvc = inner.PolicyGradientAtPhi.ToArray();

        var pg = new double[phiOld.Length];
        ev.PolicyGradientObjective(phiOld, batch, pg);
        double[] fd = FiniteDifferences.Gradient(p => ev.RatioSurrogate(p, batch, behaviour, clipped: false, []), phiOld);
        double vsPg = RelativeError(lvc, pg), vsFd = RelativeError(lvc, fd);
        Console.WriteLine($"LVC gradient at φo: relative error {vsPg:E2} vs the log-likelihood form, {vsFd:E2} vs finite differences");
        Assert.True(vsPg <= 1e-6, $"vs policy gradient: {vsPg:E2}");
        Assert.True(vsFd <= 1e-6, $"vs finite differences: {vsFd:E2}");
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.05)]
    public void Likelihood_ratio_hessian_vector_products_match_the_explicit_LVC_formula(double shift)
    {
        // At φ = φo (shift 0) the ratio ρ is 1 and the Hessian is mean[(∇²log π + ∇log π ∇log πᵀ)·Â]; at φ ≠ φo each
        // row carries its ρ. Built row by row from ∇log π_r (exact) and ∇²log π_r·x (five-point differences of it).
        (IDifferentiablePolicy policy, double[] phiOld, PolicyBatch batch) = Problem(12);
        var ev = new BatchObjectives(policy);
        double[] behaviour = TinyPolicies.LogProbs(policy, phiOld, batch);
        double[] phi = Shifted(phiOld, 5, shift);
        AdaptationOptions options = AdaptationOptions.LikelihoodRatioStep(Alpha);
        var inner = new InnerObjective(ev, batch, options, phi, behaviour);
        double[] x = Shifted(new double[phi.Length], 6, 1.0);
        var theta = new double[phi.Length];
        new SampledAdaptation(options, phi.Length).Adapt(ev, batch, phi, theta, behaviour);

        // Cᵀx = (∇²S + 2λI)x for the linear model with D3.
        var product = new double[phi.Length];
        inner.MixedTransposeProduct(ev, theta, x, product);
        for (int i = 0; i < product.Length; i++)
        {
            product[i] -= 2 * options.Lambda * x[i];
        }

        double[] logp = TinyPolicies.LogProbs(policy, phi, batch);
        var formula = new double[phi.Length];
        for (int r = 0; r < batch.Rows; r++)
        {
            var onehot = new double[batch.Rows];
            onehot[r] = 1;
            double[] RowGradient(double[] p)
            {
                var g = new double[p.Length];
                new BatchObjectives(policy).WeightedLogProb(p, batch, onehot, g);
                return g;
            }

            double[] g = RowGradient(phi);
            double[] hx = FiniteDifferences.Directional(RowGradient, phi, x);
            double gx = g.Zip(x, (a, b) => a * b).Sum();
            double c = batch.Weights[r] * batch.Advantages[r] * Math.Exp(logp[r] - behaviour[r]);
            for (int i = 0; i < formula.Length; i++)
            {
                formula[i] += c * (hx[i] + g[i] * gx);
            }
        }

        double error = RelativeError(product, formula);
        Console.WriteLine($"LVC Hessian-vector product (shift {shift}): relative error {error:E2} vs the explicit formula");
        Assert.True(error <= 1e-6, $"relative error {error:E2}");
    }

    [Theory]
    [InlineData(0.005, 0.5)]
    [InlineData(0.08, 0.05)]
    public void ProMP_outer_gradient_through_the_inner_step_matches_finite_differences(double shift, double eta)
    {
        // Shift 0.005 keeps every ρ inside the clip range; shift 0.08 clips some rows on both sides of the range, away from
        // the kinks by more than the difference step.
        (IDifferentiablePolicy policy, double[] phiOld, PolicyBatch pre) = Problem(21);
        PolicyBatch post = TinyPolicies.Batch(policy, 14, new Random(22));
        int n = phiOld.Length;
        var ev = new BatchObjectives(policy);
        var adaptation = new SampledAdaptation(AdaptationOptions.LikelihoodRatioStep(Alpha), n);
        var hypergradient = new Hypergradient(n, new HypergradientOptions(CgIterations: 2, Damping: 0));
        double[] behaviour = TinyPolicies.LogProbs(policy, phiOld, pre);
        double[] thetaOld = TaskAdaptation.Run(adaptation, ev, pre, phiOld, 1, behaviour).ThetaPrime;
        ProMpTaskData data = ProMpTaskData.Create(ev, pre, post, phiOld, thetaOld);
        const double epsilon = 0.3;
        double Objective(double[] p) => ProMpObjective.Evaluate(ev, adaptation, hypergradient, data, p, 1, epsilon, eta, []).Value;

        double[] phi = Shifted(phiOld, 23, shift);
        double[] thetaPrime = TaskAdaptation.Run(adaptation, ev, pre, phi, 1, behaviour).ThetaPrime;
        double[] rho = TinyPolicies.LogProbs(policy, thetaPrime, post).Zip(data.PostLogProbs, (a, b) => Math.Exp(a - b)).ToArray();
        int clipped = rho.Count(r => r < 1 - epsilon || r > 1 + epsilon);
        Console.WriteLine($"ρ in [{rho.Min():F3}, {rho.Max():F3}], {clipped} of {rho.Length} outside the clip range");
        Assert.True(shift < 0.05 ? clipped == 0 : clipped > 0);
        Assert.All(rho, r => Assert.True(Math.Abs(r - (1 - epsilon)) > 1e-3 && Math.Abs(r - (1 + epsilon)) > 1e-3));

        var gradient = new double[n];
        ProMpObjective.Evaluate(ev, adaptation, hypergradient, data, phi, 1, epsilon, eta, gradient);
        double[] fd = FiniteDifferences.Gradient(Objective, phi, 1e-4);
        double error = RelativeError(gradient, fd);
        Console.WriteLine($"ProMP outer gradient (shift {shift}, η {eta}): relative error {error:E2} vs finite differences");
        Assert.True(error <= 1e-5, $"relative error {error:E2}");
    }

    [Fact]
    public void ProMP_outer_gradient_at_the_collecting_policy_is_MAMLs_plus_the_LVC_outer_product_term()
    {
        // At φ = φo, ρ = 1 (no clipping), ∇KL = 0 and the LVC step equals MAML's θ', so ProMP's gradient is
        // g' + α·H_LVC·g' = MAML's g' + α·H_LL·g' plus α·mean[Â·∇log π (∇log π·g')], the term LVC adds to the Hessian.
        (IDifferentiablePolicy policy, double[] phiOld, PolicyBatch pre) = Problem(31);
        PolicyBatch post = TinyPolicies.Batch(policy, 14, new Random(32));
        int n = phiOld.Length;
        var ev = new BatchObjectives(policy);
        var hypergradient = new Hypergradient(n, new HypergradientOptions(CgIterations: 2, Damping: 0));
        var lvc = new SampledAdaptation(AdaptationOptions.LikelihoodRatioStep(Alpha), n);
        var maml = new SampledAdaptation(AdaptationOptions.PolicyGradientStep(Alpha), n);
        TaskAdaptation mamlStep = TaskAdaptation.Run(maml, ev, pre, phiOld, 1);
        double[] behaviour = TinyPolicies.LogProbs(policy, phiOld, pre);
        Assert.Equal(mamlStep.ThetaPrime, TaskAdaptation.Run(lvc, ev, pre, phiOld, 1, behaviour).ThetaPrime);

        ProMpTaskData data = ProMpTaskData.Create(ev, pre, post, phiOld, mamlStep.ThetaPrime);
        var promp = new double[n];
        ProMpObjective.Evaluate(ev, lvc, hypergradient, data, phiOld, 1, 0.3, 1.0, promp);
        var expected = new double[n];
        hypergradient.Compute(ev, mamlStep, post, expected);
        var gPrime = new double[n];
        ev.PolicyGradientObjective(mamlStep.ThetaPrime, post, gPrime);
        for (int r = 0; r < pre.Rows; r++)
        {
            var onehot = new double[pre.Rows];
            onehot[r] = 1;
            var g = new double[n];
            ev.WeightedLogProb(phiOld, pre, onehot, g);
            double c = Alpha * pre.Weights[r] * pre.Advantages[r] * g.Zip(gPrime, (a, b) => a * b).Sum();
            for (int i = 0; i < n; i++)
            {
                expected[i] += c * g[i];
            }
        }

        double error = RelativeError(promp, expected);
        Console.WriteLine($"ProMP gradient at φo vs MAML's plus the LVC term: relative error {error:E2}");
        Assert.True(error <= 1e-6, $"relative error {error:E2}");
    }

    [Fact]
    public void Clipped_surrogate_gradient_matches_finite_differences()
    {
        (IDifferentiablePolicy policy, double[] phiOld, PolicyBatch batch) = Problem(41);
        var ev = new BatchObjectives(policy);
        double[] behaviour = TinyPolicies.LogProbs(policy, phiOld, batch);
        double[] theta = Shifted(phiOld, 42, 0.03);
        var gradient = new double[theta.Length];
        ev.ProximalSurrogate(theta, batch, behaviour, 0.3, gradient);
        double[] fd = FiniteDifferences.Gradient(p => ev.ProximalSurrogate(p, batch, behaviour, 0.3, []), theta, 1e-4);
        Assert.True(RelativeError(gradient, fd) <= 1e-6, $"relative error {RelativeError(gradient, fd):E2}");
    }

    [Fact]
    public void Options_reject_a_trust_region_meta_update_and_out_of_range_settings()
    {
        var adam = new MetaUpdateOptions(MetaUpdateMethod.Adam, new TrpoOptions(), 1e-3);
        var ok = new ProMpOptions(0.1, 1, 0.3, 5e-4, false, 0.01, 5, adam);
        ok.Validate();
        Assert.Throws<ArgumentException>(() => (ok with { MetaUpdate = adam with { Method = MetaUpdateMethod.Trpo } }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { ClipEpsilon = 1.0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { InnerKlCoefficient = double.NaN }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ok with { PpoSteps = 0 }).Validate());
        Assert.Equal(Distance.Euclidean, AdaptationOptions.LikelihoodRatioStep(0.1).Distance);
    }
}
