namespace BoMrl.Meta;

/// <summary>
/// Where the per-task cells of a meta-iteration run (docs/distributed.md, §2): in this process over threads
/// (<see cref="LocalTaskExecutor"/>, the default) or on a cluster's workers. Every method returns one part per task; the
/// learner reduces them in task order, so the results never depend on the executor, the number of workers or where a
/// task ran. The <see cref="IterationData"/> the learner passes is the one <see cref="Collect"/> returned (updated with
/// the meta-gradient); a remote executor keeps the batches where they were collected and may return it hollow (only
/// iteration, φ, tasks and the per-task arrays of statistics and extras filled).
/// </summary>
public interface ITaskExecutor
{
    /// <summary>
    /// Algorithm 2, lines 3–5 for every task of meta-iteration k: the pre-adaptation batch with π_φ (sampler stream 2k),
    /// the learner's adaptation and its KL, the post-adaptation batch with π_θ' (stream 2k + 1), and the task's
    /// statistics (<see cref="PerTaskMetaLearner.TaskStatisticsCell"/>). <paramref name="state"/> is the learner's state
    /// at the start of the iteration (φ_k = state.Phi).
    /// </summary>
    CollectedIteration Collect(int iteration, MetaLearnerState state, double[][] tasks);

    /// <summary>Algorithm 2, line 6: every task's meta-gradient; <paramref name="data"/> carries every task's statistics.</summary>
    TaskMetaGradient[] MetaGradients(IterationData data);

    /// <summary>Every task's old quantities of the meta-update (before any product or trial).</summary>
    void Prepare(IterationData data);

    /// <summary>Every task's curvature-vector product F_i·v into <paramref name="parts"/>[i].</summary>
    void CurvatureProducts(IterationData data, double[] v, double[][] parts);

    /// <summary>Every task's line-search trial at <paramref name="candidate"/>.</summary>
    TaskTrial[] Trials(IterationData data, double[] candidate);

    /// <summary>Every task's KL between π at φ_old and π at <paramref name="candidate"/>.</summary>
    double[] TrialKls(IterationData data, double[] candidate);

    /// <summary>Every task's gradient of its outer objective at an inner φ of a multi-step meta-update into <paramref name="parts"/>[i].</summary>
    void OuterGradients(IterationData data, double[] phi, double[][] parts);

    /// <summary>The iteration is over: per-task state may be freed.</summary>
    void EndIteration(IterationData data);
}

/// <summary>One task's outcome of the first phase of a meta-iteration (what the learner's metrics and reductions need).</summary>
/// <param name="PreReturn">Mean episode return of the pre-adaptation batch.</param>
/// <param name="PostReturn">Mean episode return of the post-adaptation batch.</param>
/// <param name="InnerKl">KL(π_φ ‖ π_θ') on the pre-adaptation rows.</param>
/// <param name="InnerGradientNorm">‖∇_θL(θ')‖ of the last adaptation step.</param>
/// <param name="Statistics">The learner's per-task statistics (<see cref="PerTaskMetaLearner.TaskStatisticsCell"/>).</param>
public sealed record TaskCollected(double PreReturn, double PostReturn, double InnerKl, double InnerGradientNorm, double[] Statistics);

/// <summary>The first phase of a meta-iteration: per-task outcomes, the data the learner's later calls pass back, and its timing.</summary>
/// <param name="Tasks">Per-task outcomes, in task order.</param>
/// <param name="Data">The iteration's data (hollow on a remote executor).</param>
/// <param name="SamplingSeconds">Wall seconds spent collecting batches (all of the phase when the split is not known).</param>
/// <param name="InnerSeconds">Wall seconds spent adapting.</param>
public sealed record CollectedIteration(TaskCollected[] Tasks, IterationData Data, double SamplingSeconds, double InnerSeconds);

/// <summary>One task's meta-gradient (Algorithm 2, line 6), the outcome of its CG solves, and the learner's per-task extras.</summary>
/// <param name="Gradient">The task's meta-gradient.</param>
/// <param name="Cg">The CG outcome of its solves.</param>
/// <param name="Extras">Per-task values the learner reduces itself (BO-MRL with a meta-learned λ: dJ/dλ).</param>
public sealed record TaskMetaGradient(double[] Gradient, CgSummary Cg, double[] Extras);
