using BenchmarkDotNet.Attributes;
using BoMrl.Configuration;
using BoMrl.Environments.Mujoco;
using BoMrl.Numerics;
using BoMrl.Policies;

namespace BoMrl.Benchmarks;

/// <summary>
/// The two per-step costs of the locomotion sampling loop besides the physics: one batched Gaussian MLP (2×64 tanh)
/// sampling call over a group of 20 environments (the default episodes per task), and one environment step (action
/// mapping, FrameSkip × mj_step, reward, observation), and the reset that starts every episode. Compare with <c>bomrl bench sampler</c>, which times the whole loop.
/// Run: <c>dotnet run -c Release --project bench/BoMrl.Benchmarks -- --filter '*LocomotionStepBenchmarks*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class LocomotionStepBenchmarks
{
    private const int Rows = 20;
    private GaussianMlpPolicy _policy = null!;
    private double[] _theta = null!;
    private double[] _observations = null!;
    private double[] _noise = null!;
    private double[] _actions = null!;
    private double[] _scratch = null!;
    private LocomotionEnvironment _env = null!;
    private double[] _envAction = null!;
    private double[] _envObservation = null!;
    private Random _resetRng = null!;
    private int _steps;

    [Params("halfcheetah-vel", "ant-vel")]
    public string Env { get; set; } = "halfcheetah-vel";

    [GlobalSetup]
    public void Setup()
    {
        var tasks = (LocomotionTaskDistribution)TaskDistributions.Create(Env);
        int obs = tasks.ObservationSize, act = tasks.ActionSize;
        _policy = new GaussianMlpPolicy(obs, act, [64, 64]);
        _theta = _policy.InitialParameters(Seeds.Rng(1));
        Random rng = Seeds.Rng(2);
        _observations = new double[Rows * obs];
        for (int i = 0; i < _observations.Length; i++)
        {
            _observations[i] = rng.NextGaussian();
        }

        _noise = new double[Rows * act];
        for (int r = 0; r < Rows; r++)
        {
            _policy.DrawNoise(rng, _noise.AsSpan(r * act, act));
        }

        _actions = new double[Rows * act];
        _scratch = new double[_policy.ScratchSize(Rows)];

        _env = tasks.CreateLocomotionEnvironment(tasks.SampleTask(rng));
        _envAction = new double[act];
        _envObservation = new double[obs];
        _resetRng = Seeds.Rng(3);
        _env.Reset(_resetRng, _envObservation);
    }

    [GlobalCleanup]
    public void Cleanup() => _env.Dispose();

    /// <summary>One batched sampling call: 20 rows through a 2×64 tanh Gaussian MLP.</summary>
    [Benchmark]
    public void PolicySampleActions20Rows() =>
        _policy.SampleActions(_theta, _observations, Rows, _noise, _actions, _scratch);

    /// <summary>One reset (once per episode in the sampler: mj_resetData, noise, mj_forward, first observation).</summary>
    [Benchmark]
    public void EnvironmentReset() => _env.Reset(_resetRng, _envObservation);

    /// <summary>One env step with a fixed small action; a reset every 200 steps keeps the robot in its usual states.</summary>
    [Benchmark]
    public double EnvironmentStep()
    {
        if (++_steps % 200 == 0)
        {
            _env.Reset(_resetRng, _envObservation);
        }

        _envAction.AsSpan().Fill(_steps % 2 == 0 ? 1.0 : -1.0);
        return _env.Step(_envAction, _envObservation).Reward;
    }
}
