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

/// <summary>One task's first phase of a meta-iteration (see BoMrl.Meta.TaskCollected) and the worker's seconds.</summary>
[GenerateSerializer, Alias("BoMrl.Cluster.CollectReply")]
public sealed record CollectReply([property: Id(0)] double PreReturn, [property: Id(1)] double PostReturn, [property: Id(2)] double InnerKl,
    [property: Id(3)] double InnerGradientNorm, [property: Id(4)] double[] Statistics, [property: Id(5)] double SamplingSeconds,
    [property: Id(6)] double InnerSeconds);

/// <summary>One task's meta-gradient, its CG outcome (BoMrl.Meta.CgSummary's fields) and the learner's extras.</summary>
[GenerateSerializer, Alias("BoMrl.Cluster.GradientReply")]
public sealed record GradientReply([property: Id(0)] double[] Gradient, [property: Id(1)] double WorstRelativeResidual,
    [property: Id(2)] bool NegativeCurvature, [property: Id(3)] int Iterations, [property: Id(4)] int Solves, [property: Id(5)] double MaxDamping,
    [property: Id(6)] double[] Extras);

/// <summary>One task's line-search trial: the terms of the meta-objective's change and the KL.</summary>
[GenerateSerializer, Alias("BoMrl.Cluster.TrialReply")]
public sealed record TrialReply([property: Id(0)] double[] Terms, [property: Id(1)] double Kl);

/// <summary>
/// Everything a fresh activation needs to rebuild a task's state exactly where a lost one left it: the iteration,
/// every task's statistics once the meta-gradients were asked for (null before), and whether the meta-update's old
/// quantities were prepared.
/// </summary>
[GenerateSerializer, Alias("BoMrl.Cluster.RebuildSpec")]
public sealed record RebuildSpec([property: Id(0)] IterationSpec Iteration, [property: Id(1)] double[][]? Statistics, [property: Id(2)] bool Prepared);

/// <summary>
/// The per-task work of one meta-iteration, on the worker that holds the task's state (its batches, adapted
/// parameters and the learner's per-task slots), keyed by <see cref="TaskKey"/> "run/iteration/task"
/// (docs/distributed.md). Every call but <see cref="Collect"/> and <see cref="Rebuild"/> needs that state and throws
/// <see cref="TaskStateLostException"/> on an activation without it (a lost worker's task placed anew).
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

    /// <summary>Algorithm 2, line 6 for this task, given every task's statistics.</summary>
    [Alias("MetaGradient")]
    Task<GradientReply> MetaGradient(double[][] statistics);

    /// <summary>The task's old quantities of the meta-update.</summary>
    [Alias("Prepare")]
    Task Prepare();

    /// <summary>The task's F_i·v.</summary>
    [Alias("CurvatureProduct")]
    Task<double[]> CurvatureProduct(double[] v);

    /// <summary>The task's line-search trial at a candidate φ.</summary>
    [Alias("Trial")]
    Task<TrialReply> Trial(double[] candidate);

    /// <summary>The task's KL at a candidate φ.</summary>
    [Alias("TrialKl")]
    Task<double> TrialKl(double[] candidate);

    /// <summary>The task's outer-objective gradient at an inner φ of a multi-step meta-update.</summary>
    [Alias("OuterGradient")]
    Task<double[]> OuterGradient(double[] phi);

    /// <summary>Recomputes the task's state from scratch (the same bits as the lost activation's).</summary>
    [Alias("Rebuild")]
    Task Rebuild(RebuildSpec spec);

    /// <summary>The iteration is over: drops the state and deactivates.</summary>
    [Alias("Release")]
    Task Release();
}
