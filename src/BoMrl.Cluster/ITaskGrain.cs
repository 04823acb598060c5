namespace BoMrl.Cluster;

/// <summary>
/// What a worker needs to rebuild one run's per-task work: the run's resolved config (snake_case JSON, as the run
/// folder's config.json), its root seed, and the build of the learner's bomrl (a worker of another build refuses the
/// work). Per-task work is a deterministic function of these, the learner's state and the task key.
/// </summary>
/// <param name="ConfigJson">The resolved training config (ConfigLoader.ToJson).</param>
/// <param name="Seed">The run's root seed.</param>
/// <param name="Build">The learner's <see cref="ClusterBuild.Current"/>.</param>
[GenerateSerializer, Alias("BoMrl.Cluster.RunSpec")]
public sealed record RunSpec([property: Id(0)] string ConfigJson, [property: Id(1)] long Seed, [property: Id(2)] string Build);

/// <summary>The learner's state at the start of meta-iteration k (φ_k and what the per-task hooks read, e.g. λ, η).</summary>
/// <param name="Run">The run.</param>
/// <param name="Phi">φ_k.</param>
/// <param name="OptimizerState">The optimiser's state followed by the learner's own.</param>
[GenerateSerializer, Alias("BoMrl.Cluster.IterationSpec")]
public sealed record IterationSpec([property: Id(0)] RunSpec Run, [property: Id(1)] double[] Phi, [property: Id(2)] double[] OptimizerState);

/// <summary>
/// One record of the library's per-task seam (a step, a reply, a task's outcome) in the library's exact text form
/// (BoMrl.Meta.TaskCodec: JSON with shortest-round-trip doubles and the record's type name), so the cluster carries any
/// learner's steps without knowing them.
/// </summary>
/// <param name="Json">The encoded record.</param>
[GenerateSerializer, Alias("BoMrl.Cluster.TaskMessage")]
public sealed record TaskMessage([property: Id(0)] string Json);

/// <summary>One task's first phase of a meta-iteration (an encoded BoMrl.Meta.TaskCollected) and the worker's seconds.</summary>
[GenerateSerializer, Alias("BoMrl.Cluster.CollectReply")]
public sealed record CollectReply([property: Id(0)] TaskMessage Outcome, [property: Id(1)] double SamplingSeconds, [property: Id(2)] double InnerSeconds);

/// <summary>
/// Everything a fresh activation needs to rebuild a task's state exactly where a lost one left it: the iteration, and
/// the steps that changed the task's state since it was collected (BoMrl.Meta.TaskStep.ChangesTaskState), in order.
/// </summary>
[GenerateSerializer, Alias("BoMrl.Cluster.RebuildSpec")]
public sealed record RebuildSpec([property: Id(0)] IterationSpec Iteration, [property: Id(1)] TaskMessage[] Steps);

/// <summary>
/// One task of one meta-iteration, on the worker that holds its state (its BoMrl.Meta.MetaTask: batches, adaptation and
/// the learner's per-task state), keyed by <see cref="TaskKey"/> "run/iteration/task" (docs/distributed.md). Every call
/// but <see cref="Collect"/> and <see cref="Rebuild"/> needs that state and throws <see cref="TaskStateLostException"/> on
/// an activation without it (a lost worker's task placed anew).
/// </summary>
[Alias("BoMrl.Cluster.ITaskGrain")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>
    /// Algorithm 2, lines 3–5 for this task: rebuilds task i of iteration k (stream (seed, k, 0)), collects its
    /// pre-adaptation batch with π_φ on sampler stream 2k (episode generators (seed, 2k, i, e), so the data equal task i
    /// of the local many-task call), adapts, collects the post-adaptation batch on stream 2k + 1, keeps all of it.
    /// </summary>
    [Alias("Collect")]
    Task<CollectReply> Collect(IterationSpec spec);

    /// <summary>Applies one encoded step (a BoMrl.Meta.TaskStep) to the task; the encoded reply.</summary>
    [Alias("Run")]
    Task<TaskMessage> Run(TaskMessage step);

    /// <summary>Recomputes the task's state from scratch (the same bits as the lost activation's).</summary>
    [Alias("Rebuild")]
    Task Rebuild(RebuildSpec spec);

    /// <summary>The iteration is over: drops the state and deactivates.</summary>
    [Alias("Release")]
    Task Release();
}
