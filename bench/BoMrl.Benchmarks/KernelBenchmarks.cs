using BenchmarkDotNet.Attributes;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;

namespace BoMrl.Benchmarks;

/// <summary>
/// The hot kernels of a meta-iteration on a half-cheetah-sized policy (20 observations, 6 actions, 2×64 tanh) over a
/// batch of 2 000 rows: the forward pass, forward + backward of the policy-gradient objective, and a Fisher-vector and a
/// Hessian-vector product (central differences of the KL and policy-gradient gradients, as eqs. (8) and TRPO use them).
/// Uses only API that predates the fixed-association kernels, so the same file runs against an older build for a
/// side-by-side comparison (bench/compare-builds.sh). Run:
/// <c>dotnet run -c Release --project bench/BoMrl.Benchmarks -- --filter '*Kernel*'</c>.
/// </summary>
public class KernelBenchmarks
{
    private const int Rows = 2000, Obs = 20, Act = 6;
    private GaussianMlpPolicy _policy = null!;
    private BatchObjectives _objectives = null!;
    private PolicyBatch _batch = null!;
    private double[] _theta = null!, _v = null!, _dist = null!, _workspace = null!, _gradient = null!, _result = null!, _scratch = null!, _reference = null!;

    [GlobalSetup]
    public void Setup()
    {
        Random rng = Seeds.Rng(5, 0);
        _policy = new GaussianMlpPolicy(Obs, Act, [64, 64]);
        _theta = _policy.InitialParameters(rng);
        double[] Fill(int n) => [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
        _batch = new PolicyBatch(Rows, Obs, Act, Fill(Rows * Obs), Fill(Rows * Act), Fill(Rows), [.. Enumerable.Repeat(1.0 / Rows, Rows)]);
        _objectives = new BatchObjectives(_policy);
        _dist = new double[2 * Act * Rows];
        _workspace = new double[_policy.WorkspaceSize(Rows)];
        _reference = new double[_objectives.DistributionLength(_batch)];
        _objectives.Distributions(_theta, _batch, _reference);
        _v = Fill(_theta.Length);
        _gradient = new double[_theta.Length];
        _result = new double[_theta.Length];
        _scratch = new double[2 * _theta.Length];
    }

    [Benchmark]
    public void PolicyForward() => _policy.Forward(_theta, _batch.Observations, Rows, _dist, _workspace);

    [Benchmark]
    public double PolicyForwardBackward() => _objectives.PolicyGradientObjective(_theta, _batch, _gradient);

    [Benchmark]
    public void FisherVectorProduct() =>
        HessianVector.CentralDifference((x, g) => _objectives.MeanKl(x, _batch, _reference, KlDirection.ReferenceFirst, g),
            _theta, _v, _result, _scratch);

    [Benchmark]
    public void HessianVectorProduct() =>
        HessianVector.CentralDifference((x, g) => _objectives.PolicyGradientObjective(x, _batch, g), _theta, _v, _result, _scratch);
}
