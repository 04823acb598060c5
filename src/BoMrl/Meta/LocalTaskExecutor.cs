using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// The default <see cref="ITaskExecutor"/>: the iteration's <see cref="MetaTask"/>s in this process, every step on the
/// learner's <see cref="TaskLoop"/> (a static split over threads); batches are collected for all tasks at once by the
/// learner's lock-step sampler, which yields for task i exactly what collecting task i alone would.
/// </summary>
public sealed class LocalTaskExecutor(PerTaskMetaLearner learner) : ITaskExecutor
{
    private readonly PerTaskMetaLearner _learner = learner ?? throw new ArgumentNullException(nameof(learner));
    private MetaTask[] _tasks = [];

    /// <inheritdoc/>
    public CollectedIteration Collect(int iteration, MetaLearnerState state, double[][] tasks)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tasks);
        long seed = _learner.TrainingSetup.Seed;
        double[] phi = state.Phi;
        MetaTask[] held = [.. tasks.Select((t, i) => _learner.CreateTask(new TaskContext(i, iteration, phi, t)))];
        double sampling = PerTaskMetaLearner.Time(() =>
        {
            (TrajectoryBatch[] pre, PolicyBatch[] rows) = _learner.Collect(tasks, [phi], seed, 2L * iteration);
            for (int i = 0; i < held.Length; i++)
            {
                held[i].SetPreAdaptation(pre[i], rows[i]);
            }
        });
        double inner = PerTaskMetaLearner.Time(() => _learner.Loop.ForEach(held.Length, (i, s) => held[i].Adapt(s)));
        sampling += PerTaskMetaLearner.Time(() =>
        {
            (TrajectoryBatch[] post, PolicyBatch[] rows) = _learner.Collect(tasks, [.. held.Select(t => t.Theta)], seed, 2L * iteration + 1);
            for (int i = 0; i < held.Length; i++)
            {
                held[i].SetPostAdaptation(post[i], rows[i]);
            }
        });
        _tasks = held;
        return new CollectedIteration([.. held.Select(t => t.Outcome())], sampling, inner);
    }

    /// <inheritdoc/>
    public TReply[] Run<TReply>(TaskStep<TReply> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        MetaTask[] tasks = _tasks;
        var replies = new TReply[tasks.Length];
        _learner.Loop.ForEach(tasks.Length, (i, s) => replies[i] = step.Apply(tasks[i], s));
        return replies;
    }

    /// <inheritdoc/>
    public void EndIteration() => _tasks = [];

    /// <summary>Holds <paramref name="tasks"/> as if collected (for checks on hand-made data).</summary>
    internal void Hold(MetaTask[] tasks) => _tasks = tasks;
}
