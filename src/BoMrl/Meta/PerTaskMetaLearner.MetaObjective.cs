using BoMrl.Numerics;

namespace BoMrl.Meta;

/// <summary>
/// The meta part of the meta-update (Algorithm 2, line 7): the <see cref="MetaObjective"/> assembled from the tasks'
/// steps through the <see cref="Executor"/>, each reduced over tasks in task order (docs/distributed.md, §2).
/// </summary>
public abstract partial class PerTaskMetaLearner
{
    /// <summary>
    /// The line search's change of the meta-objective at <paramref name="candidate"/> from every task's trial (the
    /// learner's own <see cref="TaskTrial"/> subclass), each term averaged over tasks with <see cref="TaskMean(IEnumerable{double})"/>.
    /// </summary>
    protected abstract double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, TaskTrial[] trials);

    /// <summary>1/N Σ_i values[i], summed in task order.</summary>
    protected static double TaskMean(IEnumerable<double> values) => values.ToArray().Average();

    /// <summary>1/N Σ_i parts[i] in task order (a vector per task).</summary>
    protected static double[] TaskMean(double[][] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var mean = new double[parts.Length == 0 ? 0 : parts[0].Length];
        TaskLoop.Mean(parts, mean);
        return mean;
    }

    /// <summary>
    /// The meta-objective around φ_old that the meta-update sees, assembled through the <see cref="Executor"/>: every
    /// task's <see cref="PrepareOldQuantities"/> now; the curvature operator 1/N Σ_i F_i·v (<see cref="CurvatureProductStep"/>),
    /// the line search from <see cref="TrialStep"/> and <see cref="TrialImprovement"/>, and the step KL from
    /// <see cref="TrialKlStep"/>, each a mean over tasks in task order.
    /// </summary>
    protected MetaObjective MetaObjective(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNotEqual(data.Tasks.Length, Setup.MetaBatchSize, nameof(data));
        Executor.Run(new PrepareOldQuantities());

        LinearOperator Curvature() => (v, result) => TaskLoop.Mean(Executor.Run(new CurvatureProductStep(v.ToArray())), result);

        (double Improvement, double Kl) LineSearch(ReadOnlySpan<double> candidate)
        {
            TaskTrial[] trials = Executor.Run(new TrialStep(candidate.ToArray()));
            return (TrialImprovement(data, candidate, trials), TaskMean(trials.Select(t => t.Kl)));
        }

        double Kl(double[] candidate) => TaskMean(Executor.Run(new TrialKlStep(candidate)));

        return new MetaObjective(Curvature, LineSearch, Kl);
    }
}

/// <summary>
/// Meta-iteration k as the learner's meta part sees it once every task's meta-gradient is back: φ_k (φ_old), the tasks,
/// the task-averaged meta-gradient and every task's part (its gradient, CG outcome and extras), in task order. The
/// tasks' batches and state stay in their <see cref="MetaTask"/>s on the executor.
/// </summary>
/// <param name="Iteration">Meta-iteration k.</param>
/// <param name="Phi">φ_k.</param>
/// <param name="Tasks">The tasks of the meta-batch.</param>
/// <param name="MetaGradient">1/N Σ_i g_i in task order.</param>
/// <param name="Parts">Every task's <see cref="TaskMetaGradient"/>.</param>
public sealed record IterationData(int Iteration, double[] Phi, double[][] Tasks, double[] MetaGradient, TaskMetaGradient[] Parts);
