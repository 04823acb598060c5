using System.Diagnostics;
using BoMrl.Meta;
using BoMrl.Numerics;
using BoMrl.Sampling;

namespace BoMrl.Cluster;

/// <summary>
/// One task's work in one meta-iteration, hosted by the worker silo that activated it: the learner's
/// <see cref="MetaTask"/> for the task (its batches, adaptation and per-task state), built by the silo's copy of the
/// learner. Every step arrives as one encoded record and runs through the same code as locally. Never persisted: a lost
/// worker's task is rebuilt from the learner's state and the steps that changed it, bit for bit (docs/distributed.md).
/// Placement follows the learner's hint (Orleans' random placement reads it).
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed class TaskGrain(WorkerRuns runs) : Grain, ITaskGrain
{
    private RunHost? _host;
    private MetaTask? _task;

    /// <inheritdoc/>
    public async Task<CollectReply> Collect(IterationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        TaskKey key = TaskKey.Parse(this.GetPrimaryKeyString());
        RunHost host = Guard(() => runs.Get(key.Run, spec.Run));
        return await runs.RunAsync(host, (scratch, sampler) => Guard(() =>
        {
            MetaTrainingSetup setup = host.Setup;
            if (key.Task >= setup.MetaBatchSize)
            {
                throw new ArgumentOutOfRangeException(nameof(spec), $"task {key.Task} is outside the meta-batch of {setup.MetaBatchSize}");
            }

            if (spec.Phi.Length != setup.Policy.ParameterCount)
            {
                throw new ArgumentException($"φ has {spec.Phi.Length} values; the policy has {setup.Policy.ParameterCount}", nameof(spec));
            }

            host.EnsureState(spec);
            PerTaskMetaLearner learner = host.Learner;
            int i = key.Task;
            double[][] tasks = PerTaskMetaLearner.SampleTasks(setup.Tasks, setup.Seed, key.Iteration, setup.MetaBatchSize);
            MetaTask task = learner.CreateTask(new TaskContext(i, key.Iteration, spec.Phi, tasks[i]));
            long start = Stopwatch.GetTimestamp();
            TrajectoryBatch pre = sampler.Sample(tasks[i], spec.Phi, setup.Seed, 2L * key.Iteration, i);
            task.SetPreAdaptation(pre, learner.Rows(scratch, pre));
            double sampling = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            task.Adapt(scratch);
            double inner = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            TrajectoryBatch post = sampler.Sample(tasks[i], task.Theta, setup.Seed, 2L * key.Iteration + 1, i);
            task.SetPostAdaptation(post, learner.Rows(scratch, post));
            sampling += Stopwatch.GetElapsedTime(start).TotalSeconds;
            TaskCollected outcome = task.Outcome();
            (_host, _task) = (host, task);
            return new CollectReply(new TaskMessage(TaskCodec.Encode(outcome)), sampling, inner);
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<TaskMessage> Run(TaskMessage step)
    {
        ArgumentNullException.ThrowIfNull(step);
        (RunHost host, MetaTask task) = Held();
        return await runs.RunAsync(host, (scratch, _) => Guard(() =>
        {
            TaskStep s = TaskCodec.Decode<TaskStep>(step.Json);
            return new TaskMessage(TaskCodec.Encode(s.ApplyTo(task, scratch), s.ReplyType()));
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task Rebuild(RebuildSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        await Collect(spec.Iteration).ConfigureAwait(true);
        foreach (TaskMessage step in spec.Steps)
        {
            // Each step that changed the lost task's state, repeated in order, sets it again exactly.
            await Run(step).ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public Task Release()
    {
        (_host, _task) = (null, null);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private (RunHost Host, MetaTask Task) Held() =>
        _host is { } h && _task is { } t ? (h, t) : throw new TaskStateLostException($"task {this.GetPrimaryKeyString()}: no state on this worker");

    /// <summary>Runs a step; any failure travels as one line (numerical or not), never as a worker-side type.</summary>
    private static T Guard<T>(Func<T> step)
    {
        try
        {
            return step();
        }
        catch (TaskWorkFailedException)
        {
            throw;
        }
        catch (Exception e)
        {
            Exception root = e is AggregateException { InnerExceptions.Count: > 0 } a ? a.InnerExceptions[0] : e;
            throw new TaskWorkFailedException(root.Message.ReplaceLineEndings(" ").Trim()) { Numerical = root is NumericalFailureException };
        }
    }
}
