using System.Diagnostics;
using BoMrl.Adaptation;
using BoMrl.Environments;
using BoMrl.Numerics;
using BoMrl.Objectives;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// The shared meta-iteration of every per-task meta-learner (Algorithm 2, lines 2–7) and its meta-test. Meta-iteration
/// k: N tasks from stream (seed, k, 0); a pre-adaptation batch per task with π_φ (sampler stream 2k); the learner's
/// adaptation on it (<see cref="Adapt"/>); a post-adaptation batch with π_θ' (stream 2k + 1); the learner's per-task
/// meta-gradient (<see cref="MetaGradient"/>), averaged in task order; the meta-update (<see cref="MetaUpdate"/>, by
/// default one step of the configured <see cref="IMetaOptimizer"/> on the learner's <see cref="MetaObjective"/>).
/// Per-task work runs on <see cref="TaskWorkers"/>, so results do not depend on the thread count.
/// <para>
/// A new learner is one subclass: it names itself, chooses the row weighting and overrides <see cref="Adapt"/>,
/// <see cref="MetaGradient"/> and the per-task hooks of the meta-update (<see cref="PrepareTask"/>,
/// <see cref="CurvatureProduct"/>, <see cref="EvaluateTrial"/>, <see cref="TrialKl"/>), from which
/// <see cref="MetaObjective"/> is assembled here, and <see cref="MetaUpdate"/> when it takes several optimiser steps per
/// batch. Per-task hooks keep their state in per-task slots (arrays indexed by task), never in closures.
/// </para>
/// </summary>
public abstract partial class PerTaskMetaLearner : IMetaLearner, IDisposable
{
    private readonly IMetaOptimizer _optimizer;
    private readonly LockstepSampler _sampler;
    private readonly AdaptationOptions _adaptation;
    private readonly HypergradientOptions _hypergradient;
    private ITaskExecutor _executor;
    private double[] _phi;

    /// <summary>Builds the sampler, the worker pool and the meta-optimiser; φ₀ is drawn from stream (seed, −1).</summary>
    /// <param name="setup">Tasks, policy, batch sizes, advantages, threads and seed.</param>
    /// <param name="weighting">How rows are weighted in every batch objective.</param>
    /// <param name="adaptation">The settings of each worker's adaptation component.</param>
    /// <param name="hypergradient">The settings of each worker's eq. (8) solver.</param>
    /// <param name="metaUpdate">TRPO, SGD or Adam.</param>
    protected PerTaskMetaLearner(MetaTrainingSetup setup, RowWeighting weighting, AdaptationOptions adaptation,
        HypergradientOptions hypergradient, MetaUpdateOptions metaUpdate)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(metaUpdate);
        setup.Validate();
        metaUpdate.Validate();
        Setup = setup;
        Weighting = weighting;
        int threads = ThreadCount.Resolve(setup.Threads);
        _sampler = new LockstepSampler(setup.Tasks, setup.Policy, setup.EpisodesPerTask, threads);
        Workers = new TaskWorkers(setup, adaptation, hypergradient, Math.Max(1, Math.Min(threads, setup.MetaBatchSize)));
        _optimizer = MetaOptimizer.Create(metaUpdate, setup.Policy.ParameterCount);
        _phi = setup.Policy.InitialParameters(Seeds.Rng(setup.Seed, -1));
        ConfiguredLambda = adaptation.Lambda;
        _adaptation = adaptation;
        _hypergradient = hypergradient;
        _executor = new LocalTaskExecutor(this);
    }

    /// <inheritdoc/>
    public abstract string Algorithm { get; }

    /// <summary>The current meta-parameters φ (a copy).</summary>
    public double[] Phi => (double[])_phi.Clone();

    /// <summary>Tasks, policy, batch sizes, advantages, threads and seed.</summary>
    protected MetaTrainingSetup Setup { get; }

    /// <summary>How rows are weighted in every batch objective of this learner.</summary>
    public RowWeighting Weighting { get; }

    /// <summary>The task family this learner meta-trains on (to draw tasks for <see cref="AdaptTo"/>).</summary>
    public ITaskDistribution TaskDistribution => Setup.Tasks;

    /// <summary>The policy network φ and every adapted θ′ parameterise (to act with them, e.g. <c>GaussianMlpPolicy.MeanAction</c>).</summary>
    public IDifferentiablePolicy Policy => Setup.Policy;

    /// <summary>The per-task parallel loop and its per-thread resources.</summary>
    internal TaskWorkers Workers { get; }

    /// <summary>λ of the configured adaptation component.</summary>
    protected double ConfiguredLambda { get; }

    /// <summary>The λ the adaptations of the next iteration use (metrics.csv's lambda column); the configured one unless meta-learned.</summary>
    protected virtual double CurrentLambda => ConfiguredLambda;

    /// <summary>Number of meta-parameters.</summary>
    protected int ParameterCount => Setup.Policy.ParameterCount;

    /// <summary>Frees the sampler's pooled environments (native MuJoCo data for locomotion).</summary>
    public void Dispose()
    {
        _sampler.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    public virtual MetaLearnerState GetState() => new((double[])_phi.Clone(), [.. _optimizer.GetState(), .. LearnerState]);

    /// <inheritdoc/>
    public virtual void SetState(MetaLearnerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(state.Phi);
        ArgumentOutOfRangeException.ThrowIfNotEqual(state.Phi.Length, ParameterCount, nameof(state));
        foreach (double v in state.Phi)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("The checkpointed φ holds a non-finite value.", nameof(state));
            }
        }

        double[] saved = state.OptimizerState ?? [];
        int own = LearnerState.Length;
        if (saved.Length < own)
        {
            throw new ArgumentException("The checkpoint lacks the learner's own state.", nameof(state));
        }

        _optimizer.SetState(saved[..^own]);
        RestoreLearnerState(saved.AsSpan(saved.Length - own));
        _phi = (double[])state.Phi.Clone();
    }

    /// <summary>
    /// The learner's own checkpoint state beyond φ and the optimiser's (e.g. an adaptive penalty coefficient), of a fixed
    /// length; <see cref="GetState"/> stores it after the optimiser's state. Empty by default.
    /// </summary>
    protected virtual double[] LearnerState => [];

    /// <summary>Restores a state returned by <see cref="LearnerState"/> (same length).</summary>
    protected virtual void RestoreLearnerState(ReadOnlySpan<double> state)
    {
    }

    /// <summary>Algorithm 2, line 5: the adaptation of one task from <paramref name="phi"/> on its batch (also each meta-test step).</summary>
    protected abstract TaskAdaptation Adapt(TaskWorker worker, PolicyBatch batch, ReadOnlySpan<double> phi);

    /// <summary>
    /// Algorithm 2, line 6: task <paramref name="task"/>'s meta-gradient into <paramref name="result"/> (zeroed), from
    /// <paramref name="data"/> (its pre- and post-adaptation batches and adaptation). Returns the CG outcome of its solves.
    /// </summary>
    protected abstract CgSummary MetaGradient(TaskWorker worker, IterationData data, int task, Span<double> result);

    /// <summary>Algorithm 2, line 7: by default one optimiser step along the averaged meta-gradient.</summary>
    protected virtual MetaStep MetaUpdate(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Step(data.MetaGradient, MetaObjective(data));
    }

    /// <summary>One step of the configured meta-optimiser from the current φ along <paramref name="gradient"/>.</summary>
    protected MetaStep Step(double[] gradient, MetaObjective objective)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        foreach (double g in gradient)
        {
            if (!double.IsFinite(g))
            {
                throw new NumericalFailureException("The meta-gradient is not finite.");
            }
        }

        double[] phi = (double[])_phi.Clone();
        MetaStep step = _optimizer.Step(phi, gradient, objective);
        _phi = phi;
        return step;
    }

    /// <inheritdoc/>
    public IterationMetrics Iterate(int iteration)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(iteration);
        int nTasks = Setup.MetaBatchSize, n = ParameterCount;
        double[][] tasks = SampleTasks(Setup.Seed, iteration, nTasks);
        CollectedIteration collected = Executor.Collect(iteration, GetState(), tasks);
        TaskCollected[] perTask = collected.Tasks;
        IterationData data = collected.Data;
        if (perTask.Length != nTasks || data.Tasks.Length != nTasks)
        {
            throw new InvalidOperationException($"the executor returned {perTask.Length} tasks for a meta-batch of {nTasks}");
        }

        for (int i = 0; i < nTasks; i++)
        {
            data.Statistics[i] = perTask[i].Statistics;
        }

        TaskMetaGradient[] parts = [];
        double hyper = Time(() => parts = Executor.MetaGradients(data));
        CgSummary cg = default;
        var metaGradients = new double[nTasks][];
        for (int i = 0; i < nTasks; i++)
        {
            cg = cg.With(parts[i].Cg);
            metaGradients[i] = parts[i].Gradient;
            data.Extras[i] = parts[i].Extras;
        }

        var gradient = new double[n];
        TaskWorkers.Mean(metaGradients, gradient);
        data = data with { MetaGradient = gradient };
        double innerGradNorm = perTask.Max(t => t.InnerGradientNorm), lambda = CurrentLambda;
        MetaStep step = default;
        double metaUpdate = Time(() => step = MetaUpdate(data));
        Executor.EndIteration(data);
        return new IterationMetrics(iteration, perTask.Select(t => t.PreReturn).Average(), perTask.Select(t => t.PostReturn).Average(),
            step.Kl, step.Accepted, Math.Max(cg.WorstRelativeResidual, step.CgRelativeResidual), cg.NegativeCurvature || step.NegativeCurvature,
            new TimeSplit(collected.SamplingSeconds, collected.InnerSeconds, hyper, metaUpdate), cg.MaxDamping,
            perTask.Select(t => t.InnerKl).Average(), innerGradNorm, lambda);
    }

    /// <summary>
    /// Meta-test: M fresh tasks from (seed, −2), adapted by <see cref="AdaptTo"/>; mean and standard error over tasks of
    /// the mean episode return after 0..K steps.
    /// </summary>
    public MetaTestResult MetaTest(int steps, int tasks, long seed, Action<int, double>? afterStep = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tasks);
        AdaptationTrace trace = AdaptTo(SampleTasks(seed, -2, tasks), steps, seed, afterStep);
        double[] mean = [.. trace.Returns.Select(r => r.Average())];
        double[] stderr = [.. trace.Returns.Select(r => Statistics.StandardError(r))];
        return new MetaTestResult(Algorithm, mean, stderr);
    }

    /// <summary>
    /// Adapts the current meta-policy φ to each task (a task is its parameter vector, as
    /// <see cref="ITaskDistribution.SampleTask"/> draws it: e.g. navigation's goal) with this learner's own within-task
    /// adaptation (BO-MRL's eq. (7) solve, MAML's policy-gradient step, ProMP's likelihood-ratio step): K steps, step j on
    /// a fresh batch from the current policy (sampler stream −100 − j, apart from training's streams). The meta-test's
    /// code path. <paramref name="afterStep"/> gets each step's task-mean return.
    /// </summary>
    public AdaptationTrace AdaptTo(IReadOnlyList<double[]> tasks, int steps, long seed, Action<int, double>? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfZero(tasks.Count);
        double[][] taskArray = [.. tasks];
        var thetas = new double[steps + 1][][];
        thetas[0] = [.. taskArray.Select(_ => (double[])_phi.Clone())];
        var returns = new double[steps + 1][];
        for (int j = 0; j <= steps; j++)
        {
            (TrajectoryBatch[] batches, PolicyBatch[] rows) = Collect(taskArray, thetas[j], seed, -100 - j);
            returns[j] = [.. batches.Select(b => b.MeanEpisodeReturn())];
            afterStep?.Invoke(j, returns[j].Average());
            if (j < steps)
            {
                double[][] current = thetas[j], next = new double[taskArray.Length][];
                Workers.ForEach(taskArray.Length, (i, w) => next[i] = Adapt(w, rows[i], current[i]).ThetaPrime);
                thetas[j + 1] = next;
            }
        }

        return new AdaptationTrace(thetas, returns);
    }

    /// <summary>The N tasks of meta-iteration k (stream (seed, k, 0)).</summary>
    private double[][] SampleTasks(long seed, long iteration, int count) => SampleTasks(Setup.Tasks, seed, iteration, count);

    /// <summary>
    /// The N tasks of meta-iteration k of a run with root seed <paramref name="seed"/>, drawn in order from stream
    /// (seed, k, 0); k = −2 gives the meta-test tasks. Shared with the cluster workers, which rebuild a task from it.
    /// </summary>
    public static double[][] SampleTasks(ITaskDistribution distribution, long seed, long iteration, int count)
    {
        ArgumentNullException.ThrowIfNull(distribution);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Random rng = Seeds.Rng(seed, iteration, 0);
        var tasks = new double[count][];
        for (int i = 0; i < count; i++)
        {
            tasks[i] = distribution.SampleTask(rng);
        }

        return tasks;
    }

    /// <summary>
    /// Collects one batch per task (task i with thetas[i], or thetas[0] for all) on sampler stream
    /// <paramref name="stream"/>, fills the advantages, and returns the batches and their row views.
    /// </summary>
    internal (TrajectoryBatch[] Batches, PolicyBatch[] Rows) Collect(double[][] tasks, IReadOnlyList<double[]> thetas, long seed, long stream)
    {
        TrajectoryBatch[] batches = _sampler.Sample(tasks, thetas, seed, stream);
        var rows = new PolicyBatch[batches.Length];
        Workers.ForEach(batches.Length, (i, w) => rows[i] = RowsCell(w, batches[i]));
        return (batches, rows);
    }

    /// <summary>Wall-clock stopwatch helper: runs <paramref name="action"/> and returns its seconds.</summary>
    internal static double Time(Action action)
    {
        long start = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}

/// <summary>
/// One meta-iteration as the learner's hooks see it: φ, the tasks, the batches before and after adaptation (and their
/// rows), each task's adaptation and adapted parameters, each task's statistics and extras, and (once averaged) the
/// task-averaged meta-gradient. On the learner's side of a cluster run the per-task batches and adaptations stay on the
/// workers (those arrays hold nulls); a worker's copy holds only its own task's entries.
/// </summary>
public sealed record IterationData(int Iteration, double[] Phi, double[][] Tasks, TrajectoryBatch[] Pre, PolicyBatch[] PreRows,
    TaskAdaptation[] Adapted, double[][] Thetas, TrajectoryBatch[] Post, PolicyBatch[] PostRows)
{
    /// <summary>The task average of the per-task meta-gradients (empty until they are computed).</summary>
    public double[] MetaGradient { get; init; } = [];

    /// <summary>Every task's statistics (<see cref="PerTaskMetaLearner.TaskStatisticsCell"/>), filled before the meta-gradients.</summary>
    public double[][] Statistics { get; init; } = new double[Tasks.Length][];

    /// <summary>Every task's extras of its meta-gradient (<see cref="TaskMetaGradient.Extras"/>), filled with the meta-gradients.</summary>
    public double[][] Extras { get; init; } = new double[Tasks.Length][];

    /// <summary>Data of meta-iteration k with every per-task slot empty, to be filled task by task.</summary>
    public static IterationData Empty(int iteration, double[] phi, double[][] tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        int n = tasks.Length;
        return new IterationData(iteration, phi, tasks, new TrajectoryBatch[n], new PolicyBatch[n], new TaskAdaptation[n],
            new double[n][], new TrajectoryBatch[n], new PolicyBatch[n]);
    }
}
