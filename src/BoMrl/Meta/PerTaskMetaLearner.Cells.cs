using BoMrl.Adaptation;
using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>
/// The per-task cells an <see cref="ITaskExecutor"/> runs (docs/distributed.md, §2): each is one learner hook applied
/// to one task with the executor's <see cref="TaskWorker"/>, and writes only that task's slots. The local executor calls
/// them over threads; a cluster worker calls them on its own copy of the learner, built from the run's config and
/// seed, for the tasks it holds.
/// </summary>
public abstract partial class PerTaskMetaLearner
{
    /// <summary>Where the per-task cells of training run: in this process (the default) or on a cluster.</summary>
    public ITaskExecutor Executor
    {
        get => _executor;
        set => _executor = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The tasks, policy, batch sizes and seed the learner was built with.</summary>
    public MetaTrainingSetup TrainingSetup => Setup;

    /// <summary>A fresh worker (objectives, adaptation, eq. (8) solver, baseline, scratch) for an executor's thread.</summary>
    public TaskWorker CreateTaskWorker() => new(Setup, _adaptation, _hypergradient);

    /// <summary>The batch's advantages (with the worker's baseline) and its row view under the learner's weighting.</summary>
    public PolicyBatch RowsCell(TaskWorker worker, TrajectoryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(batch);
        Advantages.Compute(batch, Setup.Advantages, worker.Baseline);
        return PolicyBatch.FromTrajectories(batch, Weighting);
    }

    /// <summary>Algorithm 2, line 5 for task i from data.Phi on data.PreRows[i]: sets Adapted[i] and Thetas[i]; returns KL(π_φ ‖ π_θ').</summary>
    public double AdaptCell(TaskWorker worker, IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        TaskAdaptation a = Adapt(worker, data.PreRows[task], data.Phi);
        data.Adapted[task] = a;
        data.Thetas[task] = a.ThetaPrime;
        return worker.Objectives.MeanKlBetween(data.Phi, a.ThetaPrime, data.PreRows[task], [], []);
    }

    /// <summary>Task i's outcome of the first phase, once its post-adaptation batch is in data.</summary>
    public TaskCollected CollectedCell(IterationData data, int task, double innerKl)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new TaskCollected(data.Pre[task].MeanEpisodeReturn(), data.Post[task].MeanEpisodeReturn(), innerKl,
            data.Adapted[task].Steps[^1].FinalGradientNorm, TaskStatisticsCell(data, task));
    }

    /// <summary>Task i's statistics (the learner's <see cref="TaskStatistics"/>).</summary>
    public double[] TaskStatisticsCell(IterationData data, int task) => TaskStatistics(data, task);

    /// <summary>Algorithm 2, line 6 for task i (needs data.Statistics of every task).</summary>
    public TaskMetaGradient MetaGradientCell(TaskWorker worker, IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(data);
        var g = new double[ParameterCount];
        data.Extras[task] = [];
        CgSummary cg = MetaGradient(worker, data, task, g);
        return new TaskMetaGradient(g, cg, data.Extras[task]);
    }

    /// <summary>Task i's <see cref="PrepareTask"/>.</summary>
    public void PrepareCell(TaskWorker worker, IterationData data, int task) => PrepareTask(worker, data, task);

    /// <summary>Task i's <see cref="CurvatureProduct"/> into <paramref name="result"/>.</summary>
    public void CurvatureCell(TaskWorker worker, IterationData data, int task, double[] v, double[] result) =>
        CurvatureProduct(worker, data, task, v, result);

    /// <summary>Task i's <see cref="EvaluateTrial"/>.</summary>
    public TaskTrial TrialCell(TaskWorker worker, IterationData data, int task, double[] candidate) =>
        EvaluateTrial(worker, data, task, candidate);

    /// <summary>Task i's <see cref="TrialKl"/>.</summary>
    public double TrialKlCell(TaskWorker worker, IterationData data, int task, double[] candidate) =>
        TrialKl(worker, data, task, candidate);

    /// <summary>Task i's <see cref="OuterGradient"/> into <paramref name="result"/>.</summary>
    public void OuterGradientCell(TaskWorker worker, IterationData data, int task, double[] phi, double[] result) =>
        OuterGradient(worker, data, task, phi, result);
}
