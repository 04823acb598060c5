using System.Diagnostics;
using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Experiments;

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
    /// Trains until <paramref name="iterations"/> meta-iterations are complete. With <paramref name="resume"/> null, the
    /// learner's current state is the start and an iteration-0 checkpoint is written first. Throws
    /// <see cref="NumericalFailureException"/> (after keeping the last good checkpoint) when an iteration reports a
    /// non-finite return, and <see cref="InvalidDataException"/> when the checkpoint belongs to another algorithm.
    /// </summary>
    public static IReadOnlyList<MetricsRow> Run(RunFolder folder, IMetaLearner learner, int iterations, Checkpoint? resume,
        Action<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        folder.Create();
        folder.RemoveStaleTemporaries();
        var rows = new List<MetricsRow>();
        if (resume is null)
        {
            Save(folder, learner, rows);
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
            folder.WriteMetrics(rows); // metrics.csv may lag the checkpoint by one row after a kill
        }

        double sessionSeconds = 0;
        int sessionIterations = 0;
        for (int k = rows.Count; k < iterations; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            long start = Stopwatch.GetTimestamp();
            IterationMetrics m = learner.Iterate(k);
            double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (m.Iteration != k)
            {
                throw new InvalidOperationException($"the learner reported iteration {m.Iteration} for iteration {k}");
            }

            if (!double.IsFinite(m.PreAdaptationReturn) || !double.IsFinite(m.PostAdaptationReturn))
            {
                throw new NumericalFailureException(
                    $"meta-iteration {k} produced a non-finite return (pre {m.PreAdaptationReturn}, post {m.PostAdaptationReturn}); " +
                    $"the folder keeps the checkpoint after iteration {k - 1}");
            }

            var row = MetricsRow.From(m, wall);
            rows.Add(row);
            Save(folder, learner, rows);
            sessionSeconds += wall;
            sessionIterations++;
            progress?.Invoke(new TrainingProgress(rows.Count, iterations, row, sessionSeconds / sessionIterations));
        }

        return rows;
    }

    private static void Save(RunFolder folder, IMetaLearner learner, List<MetricsRow> rows)
    {
        MetaLearnerState s = learner.GetState();
        folder.WriteCheckpoint(new Checkpoint(rows.Count, learner.Algorithm, (double[])s.Phi.Clone(),
            (double[])s.OptimizerState.Clone(), [.. rows], s.LogLambda));
        folder.WriteMetrics(rows);
    }
}
