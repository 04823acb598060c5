using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Tests.Experiments;

/// <summary>
/// A deterministic stand-in for a meta-learner: iteration k perturbs φ with noise from Seeds.Rng(seed, k) and updates a
/// momentum-like optimiser state, so the result after n iterations depends on every earlier iteration and on the
/// restored state. <see cref="CrashAt"/> makes iteration k throw (a simulated kill in the middle of an iteration).
/// </summary>
internal sealed class FakeMetaLearner(long seed, string algorithm = "fake") : IMetaLearner
{
    private double[] _phi = [0.5, -0.25, 1, 0, 2];
    private double[] _momentum = new double[5];

    public int? CrashAt { get; init; }

    public string Algorithm { get; } = algorithm;

    public int Calls { get; private set; }

    public MetaLearnerState GetState() => new((double[])_phi.Clone(), (double[])_momentum.Clone());

    public void SetState(MetaLearnerState state)
    {
        if (state.Phi.Length != 5 || state.OptimizerState.Length != 5)
        {
            throw new ArgumentException("state of another shape");
        }

        _phi = (double[])state.Phi.Clone();
        _momentum = (double[])state.OptimizerState.Clone();
    }

    public IterationMetrics Iterate(int iteration)
    {
        Calls++;
        if (iteration == CrashAt)
        {
            _phi[0] = double.NaN; // a half-done iteration leaves garbage behind, then dies
            throw new OperationCanceledException("simulated kill");
        }

        Random rng = Seeds.Rng(seed, iteration);
        double pre = -Norm();
        for (int i = 0; i < 5; i++)
        {
            _momentum[i] = 0.9 * _momentum[i] + 0.1 * _phi[i];
            _phi[i] -= 0.05 * _momentum[i] + 0.01 * rng.NextGaussian();
        }

        double post = -Norm();
        return new IterationMetrics(iteration, pre, post, Kl: 0.001 * rng.NextDouble(), StepAccepted: rng.NextDouble() < 0.9,
            CgResidual: rng.NextDouble() * 1e-6, NegativeCurvature: false, new TimeSplit(0.01, 0.02, 0.003, 0.001));
    }

    public MetaTestResult MetaTest(int steps, int tasks, long testSeed, Action<int, double>? afterStep = null)
    {
        Random rng = Seeds.Rng(testSeed, -1);
        var mean = new double[steps + 1];
        var se = new double[steps + 1];
        for (int k = 0; k <= steps; k++)
        {
            mean[k] = -Norm() + k + 0.1 * rng.NextGaussian();
            se[k] = 1.0 / Math.Sqrt(tasks);
            afterStep?.Invoke(k, mean[k]);
        }

        return new MetaTestResult(Algorithm, mean, se);
    }

    private double Norm() => Math.Sqrt(_phi.Sum(x => x * x));
}
