// Over 300 lines on purpose: the lockstep loop, its per-thread scratch and its stream derivation are one mechanism
// whose determinism argument reads best in one file.

using BoMrl.Environments;
using BoMrl.Numerics;
using BoMrl.Policies;

namespace BoMrl.Sampling;

/// <summary>
/// Collects episodes for one or many tasks (docs/sampling.md, "Lock-step sampler"): every episode runs in its own environment
/// slot, slots are stepped in lock-step, and each step makes one batched
/// <see cref="IStochasticPolicy.SampleActions"/> call over the live slots of a batch group.
/// <para>
/// Work split and determinism: the slots of each task are cut into groups of at most
/// <see cref="MaxRowsPerBatch"/> episodes, a split that depends only on the episode count, never on the thread count.
/// Worker threads take whole groups; a group is stepped from reset to the end by one worker. Episode e of task i
/// draws its reset and its per-step action noise (via <see cref="IStochasticPolicy.DrawNoise"/>) from its own
/// generator <see cref="EpisodeRng"/>(seed, stream, i, e). The batches fed to the policy are therefore the same whatever
/// the thread count, and the results are bitwise identical for 1, 2 or 16 threads.
/// </para>
/// <para>
/// Episodes follow pytorch-maml-rl's convention (docs/sampling.md, "Lock-step sampler"): one episode per slot; a slot whose
/// environment terminates, or that reaches the horizon, stops contributing.
/// </para>
/// <para>
/// Lifetime: each worker owns a pool of at most <see cref="MaxRowsPerBatch"/> environments, created on the worker's
/// first group and kept for the sampler's life; a group retargets them to its task
/// (<see cref="IEnvironment.SetTask"/>) and every episode starts with a full <see cref="IEnvironment.Reset"/>, so the
/// data do not depend on which pooled environment runs which episode. A MuJoCo environment owns about 3 MB of native
/// state that the garbage collector does not see, so environments are never made per call;
/// <see cref="Dispose"/> frees the pool. Per-worker scratch is allocated once per sampler, on the worker's own
/// thread, so neighbouring workers do not share cache lines; generators and the group list once per call; the step
/// loop allocates nothing. An instance is not safe for concurrent <c>Sample</c> calls (the worker state is shared).
/// </para>
/// </summary>
public sealed class LockstepSampler : IDisposable
{
    /// <summary>Default cap on the rows of one batched policy call.</summary>
    public const int DefaultMaxRowsPerBatch = 32;

    private readonly ITaskDistribution _distribution;
    private readonly IStochasticPolicy _policy;
    private readonly WorkerScratch?[] _scratch;
    private bool _disposed;

    /// <summary>Creates a sampler of <paramref name="episodesPerTask"/> episodes per task.</summary>
    /// <param name="distribution">The task family (environment factory and horizon).</param>
    /// <param name="policy">The policy; its sizes must match the family's.</param>
    /// <param name="episodesPerTask">Episodes (trajectories) collected per task per call.</param>
    /// <param name="threads">Worker threads; 0 = every core (<see cref="ThreadCount.Resolve"/>).</param>
    /// <param name="maxRowsPerBatch">Largest batch of one policy call (also the unit of work of a thread).</param>
    public LockstepSampler(ITaskDistribution distribution, IStochasticPolicy policy, int episodesPerTask, int threads = 0,
        int maxRowsPerBatch = DefaultMaxRowsPerBatch)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(episodesPerTask);
        ArgumentOutOfRangeException.ThrowIfNegative(threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxRowsPerBatch);
        if (policy.ObservationSize != distribution.ObservationSize || policy.ActionSize != distribution.ActionSize)
        {
            throw new ArgumentException(
                $"policy sizes (obs {policy.ObservationSize}, act {policy.ActionSize}) do not match '{distribution.Name}' " +
                $"(obs {distribution.ObservationSize}, act {distribution.ActionSize})", nameof(policy));
        }

        _distribution = distribution;
        _policy = policy;
        EpisodesPerTask = episodesPerTask;
        Threads = ThreadCount.Resolve(threads);
        MaxRowsPerBatch = maxRowsPerBatch;
        _scratch = new WorkerScratch?[Threads];
    }

    /// <summary>Episodes per task.</summary>
    public int EpisodesPerTask { get; }

    /// <summary>Episode length cap (the task family's horizon).</summary>
    public int Horizon => _distribution.Horizon;

    /// <summary>Worker threads used.</summary>
    public int Threads { get; }

    /// <summary>Largest number of rows in one batched policy call.</summary>
    public int MaxRowsPerBatch { get; }

    /// <summary>The task family.</summary>
    public ITaskDistribution Distribution => _distribution;

    /// <summary>The policy.</summary>
    public IStochasticPolicy Policy => _policy;

    /// <summary>
    /// The generator of episode <paramref name="episode"/> of task <paramref name="taskIndex"/> in a call with
    /// (<paramref name="seed"/>, <paramref name="stream"/>): it draws the episode's reset, then every step's action noise.
    /// </summary>
    public static Random EpisodeRng(long seed, long stream, long taskIndex, int episode) => Seeds.Rng(seed, stream, taskIndex, episode);

    /// <summary>An empty batch of this sampler's shape (to reuse across calls).</summary>
    public TrajectoryBatch CreateBatch() =>
        new(EpisodesPerTask, Horizon, _distribution.ObservationSize, _policy.ActionSize);

    /// <summary>
    /// Samples <see cref="EpisodesPerTask"/> episodes of one task with parameters <paramref name="theta"/>. The data are
    /// identical to task <paramref name="taskIndex"/> of a many-task call with the same seed and stream.
    /// </summary>
    public TrajectoryBatch Sample(double[] task, double[] theta, long seed, long stream, int taskIndex = 0)
    {
        TrajectoryBatch batch = CreateBatch();
        SampleInto([task], [theta], seed, stream, [batch], taskIndex);
        return batch;
    }

    /// <summary>
    /// Samples every task of <paramref name="tasks"/>: task i with <c>thetas[i]</c>, or with <c>thetas[0]</c> when one
    /// parameter vector is given for all. Returns one batch per task.
    /// </summary>
    public TrajectoryBatch[] Sample(IReadOnlyList<double[]> tasks, IReadOnlyList<double[]> thetas, long seed, long stream)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var batches = new TrajectoryBatch[tasks.Count];
        for (int i = 0; i < batches.Length; i++)
        {
            batches[i] = CreateBatch();
        }

        SampleInto(tasks, thetas, seed, stream, batches);
        return batches;
    }

    /// <summary>
    /// Like <see cref="Sample(IReadOnlyList{double[]}, IReadOnlyList{double[]}, long, long)"/> but fills existing
    /// batches (shape of <see cref="CreateBatch"/>), clearing them first. Task i uses the generator stream
    /// (seed, stream, firstTaskIndex + i, episode).
    /// </summary>
    public void SampleInto(IReadOnlyList<double[]> tasks, IReadOnlyList<double[]> thetas, long seed, long stream,
        IReadOnlyList<TrajectoryBatch> batches, int firstTaskIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(thetas);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentOutOfRangeException.ThrowIfNegative(firstTaskIndex);
        ObjectDisposedException.ThrowIf(_disposed, this);
        int taskCount = tasks.Count;
        if (batches.Count != taskCount)
        {
            throw new ArgumentException($"{taskCount} tasks but {batches.Count} batches", nameof(batches));
        }

        if (thetas.Count != 1 && thetas.Count != taskCount)
        {
            throw new ArgumentException($"give one parameter vector or one per task ({taskCount}); got {thetas.Count}", nameof(thetas));
        }

        foreach (double[] theta in thetas)
        {
            ArgumentNullException.ThrowIfNull(theta, nameof(thetas));
            if (theta.Length != _policy.ParameterCount)
            {
                throw new ArgumentException($"θ has {theta.Length} entries; the policy has {_policy.ParameterCount}", nameof(thetas));
            }
        }

        for (int i = 0; i < taskCount; i++)
        {
            TrajectoryBatch b = batches[i];
            ArgumentNullException.ThrowIfNull(tasks[i], nameof(tasks));
            if (b.Episodes != EpisodesPerTask || b.Horizon != Horizon || b.ObservationSize != _distribution.ObservationSize
                || b.ActionSize != _policy.ActionSize)
            {
                throw new ArgumentException("a batch does not have the sampler's shape (use CreateBatch)", nameof(batches));
            }

            Clear(b);
            b.Task = (double[])tasks[i].Clone();
        }

        // Groups of at most MaxRowsPerBatch episodes of one task, balanced in size; independent of the thread count.
        int groupsPerTask = (EpisodesPerTask + MaxRowsPerBatch - 1) / MaxRowsPerBatch;
        var groups = new Group[taskCount * groupsPerTask];
        for (int i = 0; i < taskCount; i++)
        {
            for (int g = 0; g < groupsPerTask; g++)
            {
                int first = g * EpisodesPerTask / groupsPerTask;
                int end = (g + 1) * EpisodesPerTask / groupsPerTask;
                groups[i * groupsPerTask + g] = new Group(i, first, end - first);
            }
        }

        var call = new Call(tasks, thetas, seed, stream, batches, firstTaskIndex, groups);
        int workers = Math.Min(Threads, groups.Length);
        if (workers <= 1)
        {
            RunWorker(call, 0);
            return;
        }

        try
        {
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => RunWorker(call, w));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            // Surface the first failure as itself (a non-finite reward, a bad action) rather than as an aggregate.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private static void Clear(TrajectoryBatch b)
    {
        Array.Clear(b.Observations);
        Array.Clear(b.Actions);
        Array.Clear(b.Rewards);
        Array.Clear(b.Returns);
        Array.Clear(b.Advantages);
        Array.Clear(b.Lengths);
    }

    /// <summary>Frees the pooled environments (MuJoCo state); later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (WorkerScratch? s in _scratch)
        {
            s?.DisposeEnvironments();
        }
    }

    private void RunWorker(Call call, int worker)
    {
        // Allocated by the worker itself (its own allocation context), once per sampler.
        WorkerScratch scratch = _scratch[worker] ??=
            new WorkerScratch(_policy, _distribution.ObservationSize, Math.Min(MaxRowsPerBatch, EpisodesPerTask));
        int g;
        while ((g = Interlocked.Increment(ref call.NextGroup) - 1) < call.Groups.Length)
        {
            RunGroup(call, call.Groups[g], scratch);
        }
    }

    private void RunGroup(Call call, Group group, WorkerScratch s)
    {
        TrajectoryBatch batch = call.Batches[group.Task];
        double[] task = call.Tasks[group.Task];
        ReadOnlySpan<double> theta = call.Thetas.Count == 1 ? call.Thetas[0] : call.Thetas[group.Task];
        long taskIndex = call.FirstTaskIndex + group.Task;
        int horizon = batch.Horizon;
        int obsSize = batch.ObservationSize;
        int actSize = batch.ActionSize;
        int noiseSize = _policy.NoisePerRow;
        int count = group.Count;

        // Per group: the worker's pooled environments retargeted to this task, one generator per episode.
        IEnvironment?[] envs = s.Environments;
        Random[] rngs = s.Generators;
        for (int j = 0; j < count; j++)
        {
            int e = group.FirstEpisode + j;
            rngs[j] = EpisodeRng(call.Seed, call.Stream, taskIndex, e);
            IEnvironment? env = envs[j];
            if (env is null)
            {
                env = envs[j] = _distribution.CreateEnvironment(task);
            }
            else
            {
                env.SetTask(task);
            }

            env.Reset(rngs[j], batch.Observations.AsSpan(e * horizon * obsSize, obsSize));
            s.Live[j] = j;
        }

        int live = count;
        for (int t = 0; t < horizon && live > 0; t++)
        {
            for (int r = 0; r < live; r++)
            {
                int j = s.Live[r];
                int e = group.FirstEpisode + j;
                batch.Observations.AsSpan((e * horizon + t) * obsSize, obsSize).CopyTo(s.Observations.AsSpan(r * obsSize, obsSize));
                _policy.DrawNoise(rngs[j], s.Noise.AsSpan(r * noiseSize, noiseSize));
            }

            _policy.SampleActions(theta, s.Observations.AsSpan(0, live * obsSize), live, s.Noise.AsSpan(0, live * noiseSize),
                s.Actions.AsSpan(0, live * actSize), s.PolicyScratch);

            int stillLive = 0;
            for (int r = 0; r < live; r++)
            {
                int j = s.Live[r];
                int e = group.FirstEpisode + j;
                int row = e * horizon + t;
                Span<double> action = batch.Actions.AsSpan(row * actSize, actSize);
                s.Actions.AsSpan(r * actSize, actSize).CopyTo(action);
                bool last = t + 1 == horizon;
                Span<double> next = last ? s.NextObservation : batch.Observations.AsSpan((row + 1) * obsSize, obsSize);
                StepOutcome outcome = envs[j]!.Step(action, next);
                if (!double.IsFinite(outcome.Reward))
                {
                    throw new NumericalFailureException(
                        $"environment '{_distribution.Name}' returned a non-finite reward ({outcome.Reward}) at task {taskIndex}, episode {e}, step {t}");
                }

                batch.Rewards[row] = outcome.Reward;
                if (outcome.Terminated || last)
                {
                    batch.Lengths[e] = t + 1;
                    if (!last)
                    {
                        next.Clear(); // the observation after the end is padding, kept zero
                    }
                }
                else
                {
                    s.Live[stillLive++] = j;
                }
            }

            live = stillLive;
        }
    }

    private readonly record struct Group(int Task, int FirstEpisode, int Count);

    private sealed class Call(IReadOnlyList<double[]> tasks, IReadOnlyList<double[]> thetas, long seed, long stream,
        IReadOnlyList<TrajectoryBatch> batches, int firstTaskIndex, Group[] groups)
    {
        public IReadOnlyList<double[]> Tasks { get; } = tasks;
        public IReadOnlyList<double[]> Thetas { get; } = thetas;
        public long Seed { get; } = seed;
        public long Stream { get; } = stream;
        public IReadOnlyList<TrajectoryBatch> Batches { get; } = batches;
        public int FirstTaskIndex { get; } = firstTaskIndex;
        public Group[] Groups { get; } = groups;
        public int NextGroup;
    }

    /// <summary>One worker's buffers and environment pool, sized for the largest group; allocated once per sampler.</summary>
    private sealed class WorkerScratch(IStochasticPolicy policy, int observationSize, int rows)
    {
        public IEnvironment?[] Environments { get; } = new IEnvironment?[rows];
        public Random[] Generators { get; } = new Random[rows];
        public double[] Observations { get; } = new double[rows * observationSize];
        public double[] Noise { get; } = new double[rows * policy.NoisePerRow];
        public double[] Actions { get; } = new double[rows * policy.ActionSize];
        public double[] PolicyScratch { get; } = new double[policy.ScratchSize(rows)];
        public double[] NextObservation { get; } = new double[observationSize];
        public int[] Live { get; } = new int[rows];

        public void DisposeEnvironments()
        {
            for (int j = 0; j < Environments.Length; j++)
            {
                (Environments[j] as IDisposable)?.Dispose();
                Environments[j] = null;
            }
        }
    }
}
