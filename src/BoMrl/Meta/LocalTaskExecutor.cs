using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// The default <see cref="ITaskExecutor"/>: every per-task cell in this process on the learner's
/// <see cref="TaskWorkers"/> (a static split over threads); batches are collected for all tasks at once by the
/// learner's lock-step sampler, which yields for task i exactly what collecting task i alone would.
/// </summary>
public sealed class LocalTaskExecutor(PerTaskMetaLearner learner) : ITaskExecutor
{
    private readonly PerTaskMetaLearner _learner = learner ?? throw new ArgumentNullException(nameof(learner));

    private TaskWorkers Workers => _learner.Workers;

    /// <inheritdoc/>
    public CollectedIteration Collect(int iteration, MetaLearnerState state, double[][] tasks)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(tasks);
        long seed = _learner.TrainingSetup.Seed;
        double[] phi = state.Phi;
        IterationData data = IterationData.Empty(iteration, phi, tasks);
        var innerKl = new double[tasks.Length];
        double sampling = PerTaskMetaLearner.Time(() =>
        {
            (TrajectoryBatch[] pre, PolicyBatch[] rows) = _learner.Collect(tasks, [phi], seed, 2L * iteration);
            pre.CopyTo(data.Pre, 0);
            rows.CopyTo(data.PreRows, 0);
        });
        double inner = PerTaskMetaLearner.Time(() => Workers.ForEach(tasks.Length, (i, w) => innerKl[i] = _learner.AdaptCell(w, data, i)));
        sampling += PerTaskMetaLearner.Time(() =>
        {
            (TrajectoryBatch[] post, PolicyBatch[] rows) = _learner.Collect(tasks, data.Thetas, seed, 2L * iteration + 1);
            post.CopyTo(data.Post, 0);
            rows.CopyTo(data.PostRows, 0);
        });
        var collected = new TaskCollected[tasks.Length];
        for (int i = 0; i < tasks.Length; i++)
        {
            collected[i] = _learner.CollectedCell(data, i, innerKl[i]);
        }

        return new CollectedIteration(collected, data, sampling, inner);
    }

    /// <inheritdoc/>
    public TaskMetaGradient[] MetaGradients(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var parts = new TaskMetaGradient[data.Tasks.Length];
        Workers.ForEach(parts.Length, (i, w) => parts[i] = _learner.MetaGradientCell(w, data, i));
        return parts;
    }

    /// <inheritdoc/>
    public void Prepare(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Workers.ForEach(data.Tasks.Length, (i, w) => _learner.PrepareCell(w, data, i));
    }

    /// <inheritdoc/>
    public void CurvatureProducts(IterationData data, double[] v, double[][] parts)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(parts);
        Workers.ForEach(data.Tasks.Length, (i, w) => _learner.CurvatureCell(w, data, i, v, parts[i]));
    }

    /// <inheritdoc/>
    public TaskTrial[] Trials(IterationData data, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(data);
        var trials = new TaskTrial[data.Tasks.Length];
        Workers.ForEach(trials.Length, (i, w) => trials[i] = _learner.TrialCell(w, data, i, candidate));
        return trials;
    }

    /// <inheritdoc/>
    public double[] TrialKls(IterationData data, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(data);
        var kl = new double[data.Tasks.Length];
        Workers.ForEach(kl.Length, (i, w) => kl[i] = _learner.TrialKlCell(w, data, i, candidate));
        return kl;
    }

    /// <inheritdoc/>
    public void OuterGradients(IterationData data, double[] phi, double[][] parts)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(parts);
        Workers.ForEach(parts.Length, (i, w) => _learner.OuterGradientCell(w, data, i, phi, parts[i]));
    }

    /// <inheritdoc/>
    public void EndIteration(IterationData data)
    {
    }
}
