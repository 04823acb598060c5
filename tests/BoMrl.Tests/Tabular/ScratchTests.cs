using BoMrl.Adaptation;
using BoMrl.Distances;
using BoMrl.Environments.FrozenLake;
using BoMrl.Meta;
using BoMrl.Tabular;
using Xunit.Abstractions;

namespace BoMrl.Tests.Tabular;

public class ScratchTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(16.0, 0)]
    [InlineData(48.0, 0)]
    [InlineData(16.0, 2)]
    [InlineData(48.0, 2)]
    public void Scratch(double lr, int d)
    {
        var dist = new FrozenLakeDistribution(4, 0.3);
        var (train, test, maps, _) = dist.SampleTasks(20, 20, 1);
        double jstar = train.Average(m => m.InitialDistribution.ToArray().Zip(ValueIteration.OptimalValues(m)).Sum(p => p.First * p.Second));
        var alg = new TabularAdaptation(d == 0 ? Distance.KlForward : Distance.Euclidean, d == 0 ? 0.5 : 0.04);
        double[] phi = new double[64];
        double[] g = new double[64];
        for (int t = 0; t < 300; t++)
        {
            double f = TabularMetaTraining.MetaGradient(train, phi, alg, g);
            double gn = Math.Sqrt(g.Sum(x => x * x));
            double f0 = train.Average(m => PolicyEvaluation.OfLogits(m, phi).Return);
            if (t % 30 == 0 || t == 299) output.WriteLine($"{t}: F={f:F4} J(phi)={f0:F4} J*={jstar:F4} |g|={gn:E2} max|phi|={phi.Max(Math.Abs):F2}");
            for (int i = 0; i < 64; i++) phi[i] += lr * g[i];
        }
    }
}
