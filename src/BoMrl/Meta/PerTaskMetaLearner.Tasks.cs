using BoMrl.Adaptation;
using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// What an <see cref="ITaskExecutor"/> needs from the learner (docs/distributed.md, §2): the learner's
/// <see cref="MetaTask"/> for each task, per-thread scratch, and the rows of a batch. The local executor holds the tasks
/// in this process; a cluster worker builds them on its own copy of the learner, from the run's config and seed.
/// </summary>
public abstract partial class PerTaskMetaLearner
{
    /// <summary>Where the tasks of training live and their steps run: in this process (the default) or on a cluster.</summary>
    public ITaskExecutor Executor
    {
        get => _executor;
        set => _executor = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The tasks, policy, batch sizes and seed the learner was built with.</summary>
    public MetaTrainingSetup TrainingSetup => Setup;

    /// <summary>Task <paramref name="context"/>.Index of a meta-iteration as this learner's <see cref="MetaTask"/>, nothing collected yet.</summary>
    public abstract MetaTask CreateTask(TaskContext context);

    /// <summary>Fresh scratch (objectives, adaptation, eq. (8) solver, baseline) for one of an executor's threads.</summary>
    public TaskScratch CreateTaskScratch() => new(Setup, _adaptation, _hypergradient);

    /// <summary>The batch's advantages (with the scratch's baseline) and its row view under the learner's weighting.</summary>
    public PolicyBatch Rows(TaskScratch scratch, TrajectoryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(batch);
        Advantages.Compute(batch, Setup.Advantages, scratch.Baseline);
        return PolicyBatch.FromTrajectories(batch, Weighting);
    }

    /// <summary>The learner's <see cref="Adapt"/> for its tasks.</summary>
    internal TaskAdaptation AdaptTask(TaskScratch scratch, PolicyBatch batch, ReadOnlySpan<double> phi) => Adapt(scratch, batch, phi);
}
