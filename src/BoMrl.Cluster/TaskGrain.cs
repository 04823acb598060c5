using BoMrl.Experiments;
using BoMrl.Meta;
using BoMrl.Sampling;

namespace BoMrl.Cluster;

/// <summary>
/// One task's work in one meta-iteration, hosted by the worker silo that activated it; its batches stay in the
/// activation's memory (never persisted: a lost worker's tasks are recomputed from φ, docs/distributed.md).
/// </summary>
public sealed class TaskGrain : Grain, ITaskGrain
{
    private TrajectoryBatch? _pre;

    /// <inheritdoc/>
    public Task<PreAdaptationSummary> CollectPreAdaptation(RunSpec run, double[] phi)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(phi);
        TaskKey key = TaskKey.Parse(this.GetPrimaryKeyString());
        TrainConfig config = ConfigLoader.Parse(run.ConfigJson);
        MetaTrainingSetup setup = MetaLearners.CreateSetup(config, run.Seed);
        if (key.Task >= setup.MetaBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(run), $"task {key.Task} is outside the meta-batch of {setup.MetaBatchSize}");
        }

        if (phi.Length != setup.Policy.ParameterCount)
        {
            throw new ArgumentException($"φ has {phi.Length} values; the policy has {setup.Policy.ParameterCount}", nameof(phi));
        }

        double[] task = PerTaskMetaLearner.SampleTasks(setup.Tasks, run.Seed, key.Iteration, key.Task + 1)[key.Task];
        // One sampler thread: the silo's scheduler already runs many grains at once; the data do not depend on it.
        using (var sampler = new LockstepSampler(setup.Tasks, setup.Policy, setup.EpisodesPerTask, threads: 1))
        {
            _pre = sampler.Sample(task, phi, run.Seed, 2L * key.Iteration, key.Task);
        }

        var baseline = new LinearFeatureBaseline(setup.Policy.ObservationSize, setup.Advantages.BaselineRegularization);
        Advantages.Compute(_pre, setup.Advantages, baseline);
        return Task.FromResult(new PreAdaptationSummary(_pre.MeanEpisodeReturn(), setup.EpisodesPerTask));
    }
}
