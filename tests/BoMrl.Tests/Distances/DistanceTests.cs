using BoMrl.DistanceKinds;
using BoMrl.Distances;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Tests;

/// <summary>Each distance's θ-gradient and the two mixed products of eq. (8) against finite differences.</summary>
public sealed class DistanceTests
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string d in (string[])["kl1", "kl2", "l2"])
        {
            foreach (string kind in (string[])["gaussian", "categorical"])
            {
                data.Add(d, kind);
            }
        }

        return data;
    }

    private static (IDistance Distance, IDifferentiablePolicy Policy, BatchObjectives Ev, PolicyBatch Batch, double[] Phi, double[] Theta, Random Rng)
        Setup(string distance, string kind)
    {
        Assert.True(DistanceNames.TryParse(distance, out Distance d));
        IDifferentiablePolicy policy = TinyPolicies.Create(kind);
        Random rng = TestSeed.Rng(41, distance.Length, kind.Length);
        double[] phi = TinyPolicies.Theta(policy, rng);
        double[] theta = TinyPolicies.Theta(policy, rng);
        return (d.Implementation(), policy, new BatchObjectives(policy), TinyPolicies.Batch(policy, 12, rng), phi, theta, rng);
    }

    private static double[] ThetaGradient(IDistance distance, BatchObjectives ev, PolicyBatch batch, double[] phi, double[] theta)
    {
        var g = new double[theta.Length];
        distance.Value(ev, distance.Anchor(ev, batch, phi), theta, g);
        return g;
    }

    private static double[] RandomDirection(int n, Random rng)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = BoMrl.Numerics.Seeds.NextGaussian(rng);
        }

        return v;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Distance_gradient_in_theta_matches_finite_differences(string distance, string kind)
    {
        var (dist, _, ev, batch, phi, theta, _) = Setup(distance, kind);
        DistanceAnchor anchor = dist.Anchor(ev, batch, phi);
        double[] fd = FiniteDifferences.Gradient(t => dist.Value(ev, anchor, t, []), theta);
        double err = FiniteDifferences.RelativeError(ThetaGradient(dist, ev, batch, phi, theta), fd);
        Assert.True(err <= 1e-7, $"{distance} {kind}: relative error {err:E2}{TestSeed.Note}");
        Assert.Equal(0, dist.Value(ev, anchor, phi, []), 12); // D(π_φ, π_φ) = 0
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mixed_transpose_product_of_eq_8_matches_finite_differences_in_phi(string distance, string kind)
    {
        var (dist, _, ev, batch, phi, theta, rng) = Setup(distance, kind);
        double[] x = RandomDirection(phi.Length, rng);
        var result = new double[phi.Length];
        dist.MixedTransposeProduct(ev, dist.Anchor(ev, batch, phi), theta, x, result);
        double[] fd = FiniteDifferences.Gradient(p =>
        {
            double[] g = ThetaGradient(dist, ev, batch, p, theta);
            double s = 0;
            for (int i = 0; i < g.Length; i++)
            {
                s += x[i] * g[i];
            }

            return s;
        }, phi);
        double err = FiniteDifferences.RelativeError(result, fd);
        Assert.True(err <= 1e-5, $"{distance} {kind}: relative error {err:E2}{TestSeed.Note}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mixed_product_matches_finite_differences_in_phi(string distance, string kind)
    {
        var (dist, _, ev, batch, phi, theta, rng) = Setup(distance, kind);
        double[] v = RandomDirection(phi.Length, rng);
        var result = new double[phi.Length];
        dist.MixedProduct(ev, dist.Anchor(ev, batch, phi), theta, v, result);
        double[] fd = FiniteDifferences.Directional(p => ThetaGradient(dist, ev, batch, p, theta), phi, v);
        double err = FiniteDifferences.RelativeError(result, fd);
        Assert.True(err <= 1e-5, $"{distance} {kind}: relative error {err:E2}{TestSeed.Note}");
    }
}
