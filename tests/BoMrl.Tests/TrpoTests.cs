using BoMrl.Meta;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>The shared TRPO step (docs/design.md §4d): the trust region holds on the actual KL, not only on its quadratic model.</summary>
public class TrpoTests
{
    [Theory]
    [InlineData(1e-2)]
    [InlineData(1e-3)]
    public void Trpo_step_satisfies_the_kl_trust_region(double maxKl)
    {
        var policy = new GaussianMlpPolicy(2, 2, [16, 16]);
        Random rng = TestSeed.Rng(41, (long)(1 / maxKl));
        double[] phi = policy.InitialParameters(rng);
        PolicyBatch batch = TinyPolicies.Batch(policy, 300, rng);
        var ev = new BatchObjectives(policy);
        double[] old = TinyPolicies.Dists(policy, phi, batch);
        int n = phi.Length;
        var g = new double[n];
        ev.PolicyGradientObjective(phi, batch, g);
        double[] phiOld = (double[])phi.Clone();

        // Fisher-vector products: the Hessian of KL(π_φold ‖ π_φ) at φ = φold.
        var scratch = new double[2 * n];
        void Fisher(ReadOnlySpan<double> v, Span<double> fv) =>
            HessianVector.CentralDifference((p, grad) => ev.MeanKl(p, batch, old, KlDirection.ReferenceFirst, grad), phiOld, v, fv, scratch);

        (double, double) Evaluate(ReadOnlySpan<double> candidate)
        {
            double improvement = 0;
            for (int i = 0; i < n; i++)
            {
                improvement += g[i] * (candidate[i] - phiOld[i]);
            }

            return (improvement, ev.MeanKl(candidate, batch, old, KlDirection.ReferenceFirst, []));
        }

        TrpoResult r = new Trpo(n, new TrpoOptions(MaxKl: maxKl)).Step(phi, g, Fisher, Evaluate);
        Assert.True(r.Accepted, $"{r}{TestSeed.Note}");
        Assert.True(r.Kl <= maxKl && r.Kl > 0, $"accepted KL {r.Kl:E3} vs δ {maxKl}{TestSeed.Note}");
        Assert.True(r.Kl <= 1.5 * maxKl);

        // The full step is scaled so that the quadratic model ½sᵀFs equals δ: along it, KL(t·s)/t² → δ as t → 0
        // (the full step itself may exceed δ through the network's higher-order terms; the line search handles that).
        double scale = Math.Pow(1 / 0.8, r.LineSearchSteps - 1) * 0.01;
        var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            c[i] = phiOld[i] + scale * (phi[i] - phiOld[i]);
        }

        double modelRatio = ev.MeanKl(c, batch, old, KlDirection.ReferenceFirst, []) / (0.01 * 0.01) / maxKl;
        Assert.True(Math.Abs(modelRatio - 1) < 0.02, $"KL(0.01·step) / (1e-4·δ) = {modelRatio:F4}{TestSeed.Note}");
        Assert.Equal(r.Kl, ev.MeanKl(phi, batch, old, KlDirection.ReferenceFirst, []), 12);
        Assert.True(r.Improvement > 0);
    }

    [Fact]
    public void Trpo_rejects_and_keeps_phi_when_no_trial_passes()
    {
        const int n = 3;
        double[] phi = [1, 2, 3];
        var r = new Trpo(n, new TrpoOptions(MaxKl: 0.01, LineSearchMaxSteps: 4)).Step(phi, [1.0, 0, 0],
            (v, fv) => v.CopyTo(fv), _ => (-1.0, 0.0));
        Assert.False(r.Accepted);
        Assert.Equal(4, r.LineSearchSteps);
        Assert.Equal([1.0, 2, 3], phi);
    }
}
