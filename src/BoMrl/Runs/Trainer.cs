using System.Diagnostics;
using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Runs;

/// <summary>Progress of a training run after one meta-iteration (for progress bars and logs).</summary>
/// <param name="Completed">Meta-iterations done in total.</param>
/// <param name="Total">Meta-iterations the run will do.</param>
/// <param name="Row">The metrics of the iteration just finished.</param>
/// <param name="SecondsPerIteration">Mean wall time per iteration in this session.</param>
public sealed record TrainingProgress(int Completed, int Total, MetricsRow Row, double SecondsPerIteration)
{
    /// <summary>Estimated time to finish.</summary>
    public TimeSpan Eta => TimeSpan.FromSeconds(SecondsPerIteration * (Total - Completed));
}

/// <summary>
/// Drives an <see cref="IMetaLearner"/> through meta-iterations into a <see cref="RunFolder"/>: after each iteration
/// the checkpoint (state, iteration count, all metrics rows) is written atomically, then metrics.csv. Resuming from a
/// checkpoint restores the learner state and continues at the next iteration, which reproduces an uninterrupted run
/// because learners derive the randomness of iteration k from (seed, k) only.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="config"/> from its start into a new run folder <paramref name="directory"/>, as
    /// <c>bomrl train</c> does: claims the folder (refusing one that holds a run, <see cref="RunFolderException"/>),
    /// writes config.json, trains <see cref="TrainConfig.Iterations"/> meta-iterations with checkpoints, and marks the
    /// run finished, so <c>bomrl test</c>, <c>bomrl export</c> and <see cref="TrainedRun.Load"/> take the folder.
    /// </summary>
    public static IReadOnlyList<MetricsRow> Train(TrainConfig config, string directory, Action<TrainingProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        TrainConfig resolved = config.Resolve();
        IMetaLearner learner = MetaLearners.Create(resolved, resolved.Seed);
        try
        {
            using RunClaim claim = RunClaim.Take(directory, RunKinds.Train);
            var folder = new RunFolder(claim.Path);
            folder.Create();
            folder.WriteConfig(resolved);
            IReadOnlyList<MetricsRow> rows = Run(folder, learner, resolved.Iterations, null, progress, cancellation, resolved.CheckpointEvery);
            claim.Finish();
            return rows;
        }
        finally
        {
            (learner as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Trains until <paramref name="iterations"/> meta-iterations are complete. With <paramref name="resume"/> null, the
    /// learner's current state is the start and an iteration-0 checkpoint is written first. Throws
    /// <see cref="TrainingFailedException"/> (after keeping the last good checkpoint) when an iteration fails or reports a
    /// non-finite return, <see cref="OperationCanceledException"/> when <paramref name="cancellation"/> stops it, and
    /// <see cref="InvalidDataException"/> when the checkpoint belongs to another algorithm.
    /// </summary>
    /// <remarks>
    /// A learner that throws inside meta-iteration k (a failure in the per-task parallel loop arrives as an
    /// <see cref="AggregateException"/>) surfaces as one <see cref="TrainingFailedException"/> naming k. Every
    /// <paramref name="keepEvery"/> iterations (0: never) the checkpoint is also kept as checkpoints/iteration-NNNN.json.
    /// Cancellation is checked between iterations, after the checkpoint is written; training.png is rewritten whenever the
    /// run stops, however it stops.
    /// </remarks>
    public static IReadOnlyList<MetricsRow> Run(RunFolder folder, IMetaLearner learner, int iterations, Checkpoint? resume,
        Action<TrainingProgress>? progress = null, CancellationToken cancellation = default, int keepEvery = 0)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(keepEvery);
        folder.Create();
        folder.RemoveStaleTemporaries();
        var rows = new List<MetricsRow>();
        if (resume is null)
        {
            Save(folder, learner, rows, keepEvery);
        }
        else
        {
            if (resume.Algorithm != learner.Algorithm)
            {
                throw new InvalidDataException(
                    $"the checkpoint is of algorithm '{resume.Algorithm}' but the config builds '{learner.Algorithm}'");
            }

            learner.SetState(resume.ToState());
            rows.AddRange(resume.Metrics);
            KeepIfMissing(folder, resume, keepEvery);
            folder.WriteMetrics(rows); // metrics.csv may lag the checkpoint by one row after a kill
        }

        try
        {
            Iterate(folder, learner, iterations, rows, progress, cancellation, keepEvery);
        }
        finally
        {
            if (rows.Count > 0)
            {
                folder.WriteTrainingPlot(rows);
            }
        }

        return rows;
    }

    /// <summary>
    /// Writes the kept copy of <paramref name="checkpoint"/> when its iteration is due (a multiple of
    /// <paramref name="keepEvery"/>) and the copy is missing: the run stopped between writing latest.json and the kept
    /// copy (a full disk, a kill), and resuming would otherwise never write it.
    /// </summary>
    public static void KeepIfMissing(RunFolder folder, Checkpoint checkpoint, int keepEvery)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(checkpoint);
        if (keepEvery > 0 && checkpoint.CompletedIterations % keepEvery == 0 && !File.Exists(folder.KeptCheckpointPath(checkpoint.CompletedIterations)))
        {
            folder.KeepCheckpoint(checkpoint);
        }
    }

    /// <summary>
    /// Completes what a run that stopped after writing its last checkpoint left undone (a full disk, a kill): the kept
    /// copy (<see cref="KeepIfMissing"/>), metrics.csv when it lags the checkpoint, and training.png with it.
    /// </summary>
    public static void Complete(RunFolder folder, Checkpoint checkpoint, int keepEvery)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(checkpoint);
        KeepIfMissing(folder, checkpoint, keepEvery);
        string csv = MetricsRow.ToCsv(checkpoint.Metrics);
        if (!File.Exists(folder.MetricsPath) || File.ReadAllText(folder.MetricsPath) != csv)
        {
            folder.WriteMetrics(checkpoint.Metrics);
            if (checkpoint.Metrics.Length > 0)
            {
                folder.WriteTrainingPlot(checkpoint.Metrics);
            }
        }
    }

    private static void Iterate(RunFolder folder, IMetaLearner learner, int iterations, List<MetricsRow> rows,
        Action<TrainingProgress>? progress, CancellationToken cancellation, int keepEvery)
    {
        double sessionSeconds = 0;
        int sessionIterations = 0;
        for (int k = rows.Count; k < iterations; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            IterationMetrics m;
            try
            {
                m = learner.Iterate(k);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new TrainingFailedException(k, e);
            }

            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (m.Iteration != k)
            {
                throw new InvalidOperationException($"the learner reported iteration {m.Iteration} for iteration {k}");
            }

            if (!double.IsFinite(m.PreAdaptationReturn) || !double.IsFinite(m.PostAdaptationReturn))
            {
                throw new TrainingFailedException(k, new NumericalFailureException(
                    $"non-finite return (pre {m.PreAdaptationReturn}, post {m.PostAdaptationReturn})"));
            }

            var row = MetricsRow.From(m, wall);
            rows.Add(row);
            Save(folder, learner, rows, keepEvery);
            sessionSeconds += wall;
            sessionIterations++;
            progress?.Invoke(new TrainingProgress(rows.Count, iterations, row, sessionSeconds / sessionIterations));
        }
    }

    private static void Save(RunFolder folder, IMetaLearner learner, List<MetricsRow> rows, int keepEvery)
    {
        MetaLearnerState s = learner.GetState();
        var checkpoint = new Checkpoint(rows.Count, learner.Algorithm, (double[])s.Phi.Clone(), (double[])s.OptimizerState.Clone(), [.. rows]);
        folder.WriteCheckpoint(checkpoint);
        if (keepEvery > 0 && rows.Count % keepEvery == 0)
        {
            folder.KeepCheckpoint(checkpoint);
        }

        folder.WriteMetrics(rows);
    }
}

/// <summary>
/// Meta-iteration <see cref="Iteration"/> failed; the message names it and the failure (for a failure in the per-task
/// loop, the first task's, "task N: ..."), and the run folder keeps the checkpoint of the iterations before it.
/// </summary>
public sealed class TrainingFailedException(int iteration, Exception failure)
    : Exception($"meta-iteration {iteration} failed: {Describe(failure)}; {Kept(iteration)}", failure)
{
    /// <summary>The 0-based meta-iteration that failed.</summary>
    public int Iteration { get; } = iteration;

    /// <summary>The first failure inside an <see cref="AggregateException"/> (recursively), else the exception itself.</summary>
    public static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: > 0 } a)
        {
            e = a.InnerExceptions[0];
        }

        return e;
    }

    private static string Describe(Exception e)
    {
        Exception root = Unwrap(e);
        string message = root.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return root switch
        {
            NumericalFailureException => $"numerical failure: {message}",
            OverflowException => $"arithmetic overflow: {message}",
            _ => message, // the type name only with BOMRL_DEBUG=1, in the stack trace
        };
    }

    private static string Kept(int iteration) => iteration == 0
        ? "the folder keeps the untrained meta-policy"
        : $"the folder keeps the checkpoint of the {iteration} iterations before it";
}
