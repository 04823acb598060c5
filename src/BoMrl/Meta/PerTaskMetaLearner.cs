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
/// adaptation on it (<see cref="Adapt"/>); a post-adaptation batch with π_θ' (stream 2k + 1); every task's
/// meta-gradient (<see cref="MetaGradientStep"/>), averaged in task order; the meta-update (<see cref="MetaUpdate"/>, by
/// default one step of the configured <see cref="IMetaOptimizer"/> on the learner's <see cref="MetaObjective"/>).
/// Per-task work runs through the <see cref="Executor"/> (locally on <see cref="TaskLoop"/>), so results do not depend
/// on the thread count.
/// <para>
/// A new learner is two classes: this subclass (its name, row weighting, <see cref="Adapt"/>, <see cref="CreateTask"/>,
/// <see cref="TrialImprovement"/>, and <see cref="MetaUpdate"/> when it takes several optimiser steps per batch: the
/// meta part) and its <see cref="MetaTask"/> subclass, which holds one task's state and implements the per-task steps.
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

    /// <summary>Builds the sampler, the per-task loop and the meta-optimiser; φ₀ is drawn from stream (seed, −1).</summary>
    /// <param name="setup">Tasks, policy, batch sizes, advantages, threads and seed.</param>
    /// <param name="weighting">How rows are weighted in every batch objective.</param>
    /// <param name="adaptation">The settings of each thread's adaptation component.</param>
    /// <param name="hypergradient">The settings of each thread's eq. (8) solver.</param>
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
        Loop = new TaskLoop(setup, adaptation, hypergradient, Math.Max(1, Math.Min(threads, setup.MetaBatchSize)));
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

    /// <summary>The per-task parallel loop and its per-thread scratch.</summary>
    internal TaskLoop Loop { get; }

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
    protected abstract TaskAdaptation Adapt(TaskScratch scratch, PolicyBatch batch, ReadOnlySpan<double> phi);

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
        MetaLearnerState state = GetState();
        CollectedIteration collected = Executor.Collect(iteration, state, tasks);
        TaskCollected[] perTask = collected.Tasks;
        if (perTask.Length != nTasks)
        {
            throw new InvalidOperationException($"the executor returned {perTask.Length} tasks for a meta-batch of {nTasks}");
        }

        TaskMetaGradient[] parts = [];
        double hyper = Time(() => parts = Executor.Run(new MetaGradientStep([.. perTask.Select(t => t.Statistics)])));
        CgSummary cg = default;
        var metaGradients = new double[nTasks][];
        for (int i = 0; i < nTasks; i++)
        {
            cg = cg.With(parts[i].Cg);
            metaGradients[i] = parts[i].Gradient;
        }

        var gradient = new double[n];
        TaskLoop.Mean(metaGradients, gradient);
        var data = new IterationData(iteration, state.Phi, tasks, gradient, parts);
        double innerGradNorm = perTask.Max(t => t.InnerGradientNorm), lambda = CurrentLambda;
        MetaStep step = default;
        double metaUpdate = Time(() => step = MetaUpdate(data));
        Executor.EndIteration();
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
                Loop.ForEach(taskArray.Length, (i, s) => next[i] = Adapt(s, rows[i], current[i]).ThetaPrime);
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
        Loop.ForEach(batches.Length, (i, s) => rows[i] = Rows(s, batches[i]));
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
