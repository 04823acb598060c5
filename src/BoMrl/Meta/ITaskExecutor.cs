namespace BoMrl.Meta;

/// <summary>
/// Where the tasks of a meta-iteration live and their steps run (docs/distributed.md, §2): in this process over threads
/// (<see cref="LocalTaskExecutor"/>, the default) or on a cluster's workers. <see cref="Collect"/> builds every task's
/// <see cref="MetaTask"/> (the learner's <c>CreateTask</c>) and runs the first phase; <see cref="Run{TReply}"/> applies
/// one step record to every task and returns the replies in task order, which the learner reduces in task order, so the
/// results never depend on the executor, the number of workers or where a task ran.
/// </summary>
public interface ITaskExecutor
{
    /// <summary>
    /// Algorithm 2, lines 3–5 for every task of meta-iteration k: the pre-adaptation batch with π_φ (sampler stream 2k),
    /// the learner's adaptation and its KL, the post-adaptation batch with π_θ' (stream 2k + 1), and the task's
    /// statistics (<see cref="MetaTask.Statistics"/>). <paramref name="state"/> is the learner's state at the start of the
    /// iteration (φ_k = state.Phi). The tasks stay held until <see cref="EndIteration"/>.
    /// </summary>
    CollectedIteration Collect(int iteration, MetaLearnerState state, double[][] tasks);

    /// <summary>Applies <paramref name="step"/> to every held task; the replies in task order.</summary>
    TReply[] Run<TReply>(TaskStep<TReply> step);

    /// <summary>The iteration is over: the held tasks may be freed.</summary>
    void EndIteration();
}

/// <summary>One task's outcome of the first phase of a meta-iteration (what the learner's metrics and reductions need).</summary>
/// <param name="PreReturn">Mean episode return of the pre-adaptation batch.</param>
/// <param name="PostReturn">Mean episode return of the post-adaptation batch.</param>
/// <param name="InnerKl">KL(π_φ ‖ π_θ') on the pre-adaptation rows.</param>
/// <param name="InnerGradientNorm">‖∇_θL(θ')‖ of the last adaptation step.</param>
/// <param name="Statistics">The learner's per-task statistics (<see cref="MetaTask.Statistics"/>), or null.</param>
public sealed record TaskCollected(double PreReturn, double PostReturn, double InnerKl, double InnerGradientNorm, TaskStatistics? Statistics)
    : TaskRecord;

/// <summary>The first phase of a meta-iteration: per-task outcomes and its timing.</summary>
/// <param name="Tasks">Per-task outcomes, in task order.</param>
/// <param name="SamplingSeconds">Wall seconds spent collecting batches (all of the phase when the split is not known).</param>
/// <param name="InnerSeconds">Wall seconds spent adapting.</param>
public sealed record CollectedIteration(TaskCollected[] Tasks, double SamplingSeconds, double InnerSeconds);
