using System.Diagnostics;
using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Cluster;

/// <summary>
/// One task's work in one meta-iteration, hosted by the worker silo that activated it: the task's batches, adaptation
/// and statistics in an <see cref="IterationData"/> of its own (only this task's slots filled), the learner's per-task
/// slots in the silo's copy of the learner. Never persisted: a lost worker's task is rebuilt from the learner's state,
/// bit for bit (docs/distributed.md). Placement follows the learner's hint (Orleans' random placement reads it).
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed class TaskGrain(WorkerRuns runs) : Grain, ITaskGrain
{
    private RunHost? _host;
    private IterationData? _data;
    private int _task;

    /// <inheritdoc/>
    public async Task<CollectReply> Collect(IterationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        TaskKey key = TaskKey.Parse(this.GetPrimaryKeyString());
        RunHost host = Guard(() => runs.Get(key.Run, spec.Run));
        return await runs.RunAsync(host, (worker, sampler) => Guard(() =>
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
            IterationData data = IterationData.Empty(key.Iteration, spec.Phi, tasks);
            long start = Stopwatch.GetTimestamp();
            data.Pre[i] = sampler.Sample(tasks[i], spec.Phi, setup.Seed, 2L * key.Iteration, i);
            data.PreRows[i] = learner.RowsCell(worker, data.Pre[i]);
            double sampling = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            double innerKl = learner.AdaptCell(worker, data, i);
            double inner = Stopwatch.GetElapsedTime(start).TotalSeconds;
            start = Stopwatch.GetTimestamp();
            data.Post[i] = sampler.Sample(tasks[i], data.Thetas[i], setup.Seed, 2L * key.Iteration + 1, i);
            data.PostRows[i] = learner.RowsCell(worker, data.Post[i]);
            sampling += Stopwatch.GetElapsedTime(start).TotalSeconds;
            TaskCollected c = learner.CollectedCell(data, i, innerKl);
            (_host, _data, _task) = (host, data, i);
            return new CollectReply(c.PreReturn, c.PostReturn, c.InnerKl, c.InnerGradientNorm, c.Statistics, sampling, inner);
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<GradientReply> MetaGradient(double[][] statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        (RunHost host, IterationData data) = Held();
        return await runs.RunAsync(host, (worker, _) => Guard(() =>
        {
            statistics.CopyTo(data.Statistics, 0);
            TaskMetaGradient g = host.Learner.MetaGradientCell(worker, data, _task);
            return new GradientReply(g.Gradient, g.Cg.WorstRelativeResidual, g.Cg.NegativeCurvature, g.Cg.Iterations, g.Cg.Solves,
                g.Cg.MaxDamping, g.Extras);
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task Prepare()
    {
        (RunHost host, IterationData data) = Held();
        await runs.RunAsync(host, (worker, _) => Guard(() =>
        {
            host.Learner.PrepareCell(worker, data, _task);
            return 0;
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<double[]> CurvatureProduct(double[] v)
    {
        (RunHost host, IterationData data) = Held();
        return await runs.RunAsync(host, (worker, _) => Guard(() =>
        {
            var result = new double[v.Length];
            host.Learner.CurvatureCell(worker, data, _task, v, result);
            return result;
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<TrialReply> Trial(double[] candidate)
    {
        (RunHost host, IterationData data) = Held();
        return await runs.RunAsync(host, (worker, _) => Guard(() =>
        {
            TaskTrial t = host.Learner.TrialCell(worker, data, _task, candidate);
            return new TrialReply(t.Terms, t.Kl);
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<double> TrialKl(double[] candidate)
    {
        (RunHost host, IterationData data) = Held();
        return await runs.RunAsync(host, (worker, _) => Guard(() => host.Learner.TrialKlCell(worker, data, _task, candidate))).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task<double[]> OuterGradient(double[] phi)
    {
        (RunHost host, IterationData data) = Held();
        return await runs.RunAsync(host, (worker, _) => Guard(() =>
        {
            var result = new double[phi.Length];
            host.Learner.OuterGradientCell(worker, data, _task, phi, result);
            return result;
        })).ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public async Task Rebuild(RebuildSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        await Collect(spec.Iteration).ConfigureAwait(true);
        if (spec.Statistics is { } statistics)
        {
            // The meta-gradient may fill per-task slots later cells read; recomputing it restores them exactly.
            await MetaGradient(statistics).ConfigureAwait(true);
        }

        if (spec.Prepared)
        {
            await Prepare().ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public Task Release()
    {
        (_host, _data) = (null, null);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private (RunHost Host, IterationData Data) Held() =>
        _host is { } h && _data is { } d ? (h, d) : throw new TaskStateLostException($"task {this.GetPrimaryKeyString()}: no state on this worker");

    /// <summary>Runs a cell; any failure travels as one line (numerical or not), never as a worker-side type.</summary>
    private static T Guard<T>(Func<T> cell)
    {
        try
        {
            return cell();
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
