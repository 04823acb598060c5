using BoMrl.Numerics;

namespace BoMrl.Meta;

/// <summary>
/// The per-task hooks of the meta-update and the <see cref="MetaObjective"/> assembled from them (docs/distributed.md,
/// §2): every per-task cell is a named method of the learner, so it can run wherever the task's data lives.
/// </summary>
public abstract partial class PerTaskMetaLearner
{
    /// <summary>
    /// Task <paramref name="task"/>'s "old" quantities of the meta-update around φ_old (e.g. old distributions and
    /// log-probabilities), kept in the learner's per-task slots; called once per meta-update, before any product or trial.
    /// </summary>
    protected virtual void PrepareTask(TaskWorker worker, IterationData data, int task)
    {
    }

    /// <summary>Task <paramref name="task"/>'s part F_i·v of TRPO's curvature-vector product F·v = 1/N Σ_i F_i·v.</summary>
    protected virtual void CurvatureProduct(TaskWorker worker, IterationData data, int task, ReadOnlySpan<double> v, Span<double> result) =>
        throw new InvalidOperationException($"{Algorithm}'s meta-update is a first-order optimiser step; it has no trust-region curvature.");

    /// <summary>
    /// Task <paramref name="task"/>'s part of a line-search trial at <paramref name="candidate"/>: the terms of the
    /// meta-objective's change (each averaged over tasks, then combined by <see cref="TrialImprovement"/>) and its KL.
    /// </summary>
    protected abstract TaskTrial EvaluateTrial(TaskWorker worker, IterationData data, int task, double[] candidate);

    /// <summary>Task <paramref name="task"/>'s KL between π at φ_old and π at <paramref name="candidate"/> (the step's reported KL).</summary>
    protected abstract double TrialKl(TaskWorker worker, IterationData data, int task, double[] candidate);

    /// <summary>
    /// The line search's change of the meta-objective at <paramref name="candidate"/> from the task means of the
    /// trial terms: by default their sum in order.
    /// </summary>
    protected virtual double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, ReadOnlySpan<double> termMeans)
    {
        double improvement = termMeans.IsEmpty ? 0 : termMeans[0];
        for (int t = 1; t < termMeans.Length; t++)
        {
            improvement += termMeans[t];
        }

        return improvement;
    }

    /// <summary>
    /// Task <paramref name="task"/>'s statistics after its post-adaptation batch: the small per-task numbers a learner's
    /// meta-gradient needs from the other tasks (<see cref="IterationData.Statistics"/>), e.g. E-MAML's reward moments.
    /// Empty by default.
    /// </summary>
    protected virtual double[] TaskStatistics(IterationData data, int task) => [];

    /// <summary>
    /// Task <paramref name="task"/>'s gradient of its outer objective at an inner <paramref name="phi"/> of a meta-update
    /// that takes several optimiser steps on the same batches (ProMP); see <see cref="TaskGradientMean"/>.
    /// </summary>
    protected virtual void OuterGradient(TaskWorker worker, IterationData data, int task, double[] phi, Span<double> result) =>
        throw new InvalidOperationException($"{Algorithm} takes one optimiser step per meta-iteration; it has no inner outer-gradient.");

    /// <summary>1/N Σ_i <see cref="OuterGradient"/> at <paramref name="phi"/>, in task order.</summary>
    protected double[] TaskGradientMean(IterationData data, double[] phi)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(phi);
        var parts = new double[data.Tasks.Length][];
        for (int i = 0; i < parts.Length; i++)
        {
            parts[i] = new double[phi.Length];
        }

        Executor.OuterGradients(data, phi, parts);
        var gradient = new double[phi.Length];
        TaskWorkers.Mean(parts, gradient);
        return gradient;
    }

    /// <summary>
    /// The meta-objective around φ_old that the meta-update sees, assembled from the per-task hooks through the
    /// <see cref="Executor"/>: every task's <see cref="PrepareTask"/> now; the curvature operator 1/N Σ_i
    /// <see cref="CurvatureProduct"/>, the line search from <see cref="EvaluateTrial"/> and the step KL from
    /// <see cref="TrialKl"/>, each a mean over tasks in task order.
    /// </summary>
    protected MetaObjective MetaObjective(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int nTasks = data.Tasks.Length;
        ArgumentOutOfRangeException.ThrowIfNotEqual(nTasks, Setup.MetaBatchSize, nameof(data));
        Executor.Prepare(data);

        LinearOperator Curvature()
        {
            var parts = new double[nTasks][];
            for (int i = 0; i < nTasks; i++)
            {
                parts[i] = new double[ParameterCount];
            }

            return (v, result) =>
            {
                Executor.CurvatureProducts(data, v.ToArray(), parts);
                TaskWorkers.Mean(parts, result);
            };
        }

        (double Improvement, double Kl) LineSearch(ReadOnlySpan<double> candidate)
        {
            double[] c = candidate.ToArray();
            TaskTrial[] trials = Executor.Trials(data, c);
            var means = new double[trials[0].Terms.Length];
            var values = new double[nTasks];
            for (int t = 0; t < means.Length; t++)
            {
                for (int i = 0; i < nTasks; i++)
                {
                    values[i] = trials[i].Terms[t];
                }

                means[t] = values.Average();
            }

            for (int i = 0; i < nTasks; i++)
            {
                values[i] = trials[i].Kl;
            }

            return (TrialImprovement(data, c, means), values.Average());
        }

        double Kl(double[] candidate) => Executor.TrialKls(data, candidate).Average();

        return new MetaObjective(Curvature, LineSearch, Kl);
    }
}

/// <summary>One task's part of a line-search trial: the terms of the meta-objective's change and the KL.</summary>
/// <param name="Terms">Per-task terms, each averaged over tasks separately (e.g. surrogate change, exploration change).</param>
/// <param name="Kl">The task's KL between π at φ_old and π at the trial φ.</param>
public readonly record struct TaskTrial(double[] Terms, double Kl);
