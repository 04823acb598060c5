using System.Collections.Concurrent;
using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Sampling;

namespace BoMrl.Cluster;

/// <summary>
/// A worker silo's runs: per run, one copy of the learner built from the run's config and seed (it builds the
/// <see cref="MetaTask"/>s of the tasks this silo holds), pools of per-thread scratch and one-task samplers, and the
/// learner state of the iteration in progress. At most <see cref="Threads"/> steps run at once on the silo.
/// </summary>
public sealed class WorkerRuns : IDisposable
{
    /// <summary>Runs kept at once; the least recently used one beyond it is freed.</summary>
    private const int KeptRuns = 4;

    private readonly Dictionary<string, RunHost> _runs = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _gate;

    /// <summary>Creates the silo's run table; <paramref name="threads"/> steps run at once.</summary>
    public WorkerRuns(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        Threads = threads;
        _gate = new SemaphoreSlim(threads, threads);
    }

    /// <summary>Steps run at once on this silo.</summary>
    public int Threads { get; }

    /// <summary>The run's host, built on first use; refuses another build or another config under the same run id.</summary>
    public RunHost Get(string runId, RunSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Build != ClusterBuild.Current)
        {
            throw new TaskWorkFailedException($"this worker runs bomrl {ClusterBuild.Current}, the learner {spec.Build}; run the same build on both");
        }

        lock (_lock)
        {
            if (_runs.TryGetValue(runId, out RunHost? host))
            {
                if (host.Spec != spec)
                {
                    throw new TaskWorkFailedException($"run {runId} is already running here with another config or seed");
                }
            }
            else
            {
                if (_runs.Count >= KeptRuns)
                {
                    RunHost oldest = _runs.Values.MinBy(h => h.LastUsed)!;
                    _runs.Remove(oldest.Id);
                    oldest.Dispose();
                }

                host = _runs[runId] = new RunHost(runId, spec);
            }

            host.LastUsed = Environment.TickCount64;
            return host;
        }
    }

    /// <summary>Runs one step of <paramref name="host"/> when a thread is free, with rented scratch and sampler.</summary>
    public async Task<T> RunAsync<T>(RunHost host, Func<TaskScratch, LockstepSampler, T> step)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(step);
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await Task.Run(() => host.Run(step)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Frees every run's learner and samplers.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (RunHost h in _runs.Values)
            {
                h.Dispose();
            }

            _runs.Clear();
        }

        _gate.Dispose();
    }
}

/// <summary>One run on a worker silo: its learner copy, pooled scratch and one-task samplers, and the iteration's learner state.</summary>
public sealed class RunHost : IDisposable
{
    private readonly ConcurrentBag<TaskScratch> _scratch = [];
    private readonly ConcurrentBag<LockstepSampler> _samplers = [];
    private readonly Lock _stateLock = new();
    private IterationSpec? _applied;

    internal RunHost(string id, RunSpec spec)
    {
        Id = id;
        Spec = spec;
        TrainConfig config = ConfigLoader.Parse(spec.ConfigJson);
        // One sampler thread per step: the silo runs many steps at once; the data do not depend on it.
        config = config with { Sampler = config.Sampler with { Threads = 1 } };
        Learner = MetaLearners.Create(config, spec.Seed) as PerTaskMetaLearner
            ?? throw new TaskWorkFailedException($"algorithm '{config.Algorithm.Name}' does not run per task, so it cannot run on a cluster");
        Setup = Learner.TrainingSetup;
    }

    /// <summary>The run's id (the first part of its task keys).</summary>
    public string Id { get; }

    /// <summary>What the learner sent.</summary>
    public RunSpec Spec { get; }

    /// <summary>This silo's copy of the learner.</summary>
    public PerTaskMetaLearner Learner { get; }

    /// <summary>The run's tasks, policy, batch sizes and seed.</summary>
    public MetaTrainingSetup Setup { get; }

    internal long LastUsed { get; set; }

    /// <summary>Sets the learner's state to iteration <paramref name="spec"/>'s, once per iteration (steps of one iteration share it).</summary>
    public void EnsureState(IterationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        lock (_stateLock)
        {
            if (_applied is { } a && ReferenceEquals(a.Phi, spec.Phi))
            {
                return;
            }

            if (_applied is { } b && b.Phi.AsSpan().SequenceEqual(spec.Phi) && b.OptimizerState.AsSpan().SequenceEqual(spec.OptimizerState))
            {
                return;
            }

            Learner.SetState(new MetaLearnerState(spec.Phi, spec.OptimizerState));
            _applied = spec;
        }
    }

    internal T Run<T>(Func<TaskScratch, LockstepSampler, T> step)
    {
        TaskScratch scratch = _scratch.TryTake(out TaskScratch? w) ? w : Learner.CreateTaskScratch();
        LockstepSampler sampler = _samplers.TryTake(out LockstepSampler? s) ? s
            : new LockstepSampler(Setup.Tasks, Setup.Policy, Setup.EpisodesPerTask, threads: 1);
        try
        {
            return step(scratch, sampler);
        }
        finally
        {
            _scratch.Add(scratch);
            _samplers.Add(sampler);
        }
    }

    /// <summary>Frees the learner's and the pooled samplers' environments.</summary>
    public void Dispose()
    {
        Learner.Dispose();
        while (_samplers.TryTake(out LockstepSampler? s))
        {
            s.Dispose();
        }
    }
}
