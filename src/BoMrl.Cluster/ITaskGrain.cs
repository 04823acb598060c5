namespace BoMrl.Cluster;

/// <summary>
/// What a worker needs to rebuild one run's per-task work: the run's resolved config (snake_case JSON, as the run
/// folder's config.json) and its root seed. Per-task work is a deterministic function of these, φ and the task key.
/// </summary>
/// <param name="ConfigJson">The resolved training config (ConfigLoader.ToJson).</param>
/// <param name="Seed">The run's root seed.</param>
[GenerateSerializer, Alias("BoMrl.Cluster.RunSpec")]
public sealed record RunSpec([property: Id(0)] string ConfigJson, [property: Id(1)] long Seed);

/// <summary>One task's pre-adaptation batch as the learner's metrics see it.</summary>
/// <param name="MeanEpisodeReturn">Mean over the batch's episodes of the undiscounted return.</param>
/// <param name="Episodes">Episodes collected.</param>
[GenerateSerializer, Alias("BoMrl.Cluster.PreAdaptationSummary")]
public sealed record PreAdaptationSummary([property: Id(0)] double MeanEpisodeReturn, [property: Id(1)] int Episodes);

/// <summary>
/// The per-task work of one meta-iteration, on the worker that holds the task's state (its batches, later its adapted
/// parameters), keyed by <see cref="TaskKey"/> "run/iteration/task" (docs/distributed.md).
/// </summary>
[Alias("BoMrl.Cluster.ITaskGrain")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>
    /// Algorithm 2, line 3 for this task: rebuilds task i of iteration k (stream (seed, k, 0)), collects its
    /// pre-adaptation batch with π_φ on sampler stream 2k (episode generators (seed, 2k, i, e), so the data equal task i
    /// of the local many-task call), fills its advantages, keeps the batch in the grain and returns its summary.
    /// </summary>
    [Alias("CollectPreAdaptation")]
    Task<PreAdaptationSummary> CollectPreAdaptation(RunSpec run, double[] phi);
}
