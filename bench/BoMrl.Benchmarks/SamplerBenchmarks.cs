using BenchmarkDotNet.Attributes;
using BoMrl.Environments.Navigation;
using BoMrl.Numerics;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Benchmarks;

/// <summary>
/// One meta-batch of navigation episodes (20 tasks × 20 episodes, horizon 100) through the lock-step sampler with the
/// 2×64 tanh Gaussian policy, by thread count; divide the valid steps per call (reported by <see cref="Setup"/>) by the
/// mean time for env-steps/s. Run: <c>dotnet run -c Release --project bench/BoMrl.Benchmarks -- --filter '*Sampler*'</c>.
/// </summary>
[MemoryDiagnoser]
public class SamplerBenchmarks
{
    private LockstepSampler _sampler = null!;
    private TrajectoryBatch[] _batches = null!;
    private double[][] _tasks = null!;
    private double[] _phi = null!;

    /// <summary>Sampler threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Hidden widths: 64 (2×64, the paper's) or 0 (a linear Gaussian policy, to see the sampler's own cost).</summary>
    [Params(64, 0)]
    public int Hidden { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var dist = new Navigation2DTasks();
        var policy = new GaussianMlpPolicy(2, 2, Hidden == 0 ? [] : [Hidden, Hidden]);
        _phi = policy.InitialParameters(Seeds.Rng(1, 0));
        _tasks = [.. Enumerable.Range(0, 20).Select(i => dist.SampleTask(Seeds.Rng(2, i)))];
        _sampler = new LockstepSampler(dist, policy, 20, Threads);
        _batches = [.. _tasks.Select(_ => _sampler.CreateBatch())];
        _sampler.SampleInto(_tasks, [_phi], 3, 0, _batches);
        Console.WriteLine($"// valid env-steps per call: {_batches.Sum(b => b.ValidSteps)}");
    }

    [Benchmark]
    public void SampleMetaBatch() => _sampler.SampleInto(_tasks, [_phi], 3, 0, _batches);
}
