using BoMrl.Adaptation;
using BoMrl.Objectives;
using BoMrl.Sampling;

namespace BoMrl.Meta;

/// <summary>Which task of which meta-iteration a <see cref="MetaTask"/> is.</summary>
/// <param name="Index">Task i within the meta-batch.</param>
/// <param name="Iteration">Meta-iteration k.</param>
/// <param name="Phi">φ_k, the meta-parameters the iteration started from (φ_old of its meta-update).</param>
/// <param name="Parameters">The task itself (as <c>ITaskDistribution.SampleTask</c> drew it).</param>
public sealed record TaskContext(int Index, int Iteration, double[] Phi, double[] Parameters);

/// <summary>
/// One task of a meta-iteration, held by the executor that collected it (docs/distributed.md, §2): its batches, its
/// adaptation (Algorithm 2, line 5) and θ′, the learner's per-task state, and the per-task steps the learner's meta part
/// asks for as <see cref="TaskStep{TReply}"/> records. A learner subclasses it; a step only one learner needs is a record
/// of that learner's whose <see cref="TaskStep{TReply}.Apply"/> calls a method of its own subclass.
/// </summary>
public abstract class MetaTask
{
    private readonly PerTaskMetaLearner _learner;
    private TrajectoryBatch? _pre, _post;
    private PolicyBatch? _preRows, _postRows;
    private TaskAdaptation? _adapted;
    private double _innerKl;

    /// <summary>Task <paramref name="context"/>.Index of <paramref name="learner"/>'s meta-iteration, with nothing collected yet.</summary>
    protected MetaTask(PerTaskMetaLearner learner, TaskContext context)
    {
        _learner = learner ?? throw new ArgumentNullException(nameof(learner));
        Context = context ?? throw new ArgumentNullException(nameof(context));
    }

    /// <summary>Which task this is.</summary>
    public TaskContext Context { get; }

    /// <summary>φ_k (φ_old of the meta-update).</summary>
    public double[] Phi => Context.Phi;

    /// <summary>B⁰: the pre-adaptation batch with π_φ (advantages filled).</summary>
    public TrajectoryBatch Pre => _pre ?? throw NotYet("pre-adaptation batch");

    /// <summary>B⁰'s rows under the learner's weighting.</summary>
    public PolicyBatch PreRows => _preRows ?? throw NotYet("pre-adaptation batch");

    /// <summary>The adaptation on B⁰ (Algorithm 2, line 5).</summary>
    public TaskAdaptation Adapted => _adapted ?? throw NotYet("adaptation");

    /// <summary>θ′, the adapted parameters.</summary>
    public double[] Theta => Adapted.ThetaPrime;

    /// <summary>B¹: the post-adaptation batch with π_θ′ (advantages filled).</summary>
    public TrajectoryBatch Post => _post ?? throw NotYet("post-adaptation batch");

    /// <summary>B¹'s rows under the learner's weighting.</summary>
    public PolicyBatch PostRows => _postRows ?? throw NotYet("post-adaptation batch");

    /// <summary>Number of meta-parameters.</summary>
    protected int ParameterCount => Context.Phi.Length;

    /// <summary>Sets B⁰ and its rows (the executor's sampling, Algorithm 2, line 3).</summary>
    public void SetPreAdaptation(TrajectoryBatch batch, PolicyBatch rows) => (_pre, _preRows) = (batch, rows);

    /// <summary>Algorithm 2, line 5: the learner's adaptation from φ on B⁰; returns KL(π_φ ‖ π_θ′) on B⁰'s rows.</summary>
    public double Adapt(TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        SetAdaptation(Adapt(scratch, PreRows, Phi));
        _innerKl = scratch.Objectives.MeanKlBetween(Phi, Theta, PreRows, [], []);
        return _innerKl;
    }

    /// <summary>Sets the adaptation without running it (for derivative checks on hand-made data).</summary>
    internal void SetAdaptation(TaskAdaptation adapted) => _adapted = adapted;

    /// <summary>Sets B¹ and its rows (collected with π_θ′).</summary>
    public void SetPostAdaptation(TrajectoryBatch batch, PolicyBatch rows) => (_post, _postRows) = (batch, rows);

    /// <summary>The task's outcome of the first phase, once B¹ is set.</summary>
    public TaskCollected Outcome() =>
        new(Pre.MeanEpisodeReturn(), Post.MeanEpisodeReturn(), _innerKl, Adapted.Steps[^1].FinalGradientNorm, Statistics());

    /// <summary>The learner's adaptation from <paramref name="phi"/> on <paramref name="batch"/> (also a trial's re-adaptation).</summary>
    protected TaskAdaptation Adapt(TaskScratch scratch, PolicyBatch batch, ReadOnlySpan<double> phi) => _learner.AdaptTask(scratch, batch, phi);

    /// <summary>The task's statistics after B¹, which every task's meta-gradient receives (none by default).</summary>
    protected internal virtual TaskStatistics? Statistics() => null;

    /// <summary>Algorithm 2, line 6: the task's meta-gradient, given every task's statistics in <paramref name="step"/>.</summary>
    protected internal abstract TaskMetaGradient MetaGradient(TaskScratch scratch, MetaGradientStep step);

    /// <summary>The meta-update's old quantities around φ_old, kept in this object; before any product or trial.</summary>
    protected internal virtual void PrepareOldQuantities(TaskScratch scratch)
    {
    }

    /// <summary>The task's part F_i·v of TRPO's curvature-vector product (only learners whose meta-update is TRPO).</summary>
    protected internal virtual double[] CurvatureProduct(TaskScratch scratch, double[] v) =>
        throw new InvalidOperationException($"{_learner.Algorithm}'s meta-update is a first-order optimiser step; it has no trust-region curvature.");

    /// <summary>The task's part of a line-search trial at <paramref name="candidate"/>: its terms (a learner's subclass of <see cref="TaskTrial"/>) and KL.</summary>
    protected internal abstract TaskTrial Trial(TaskScratch scratch, double[] candidate);

    /// <summary>The task's KL between π at φ_old and π at <paramref name="candidate"/>.</summary>
    protected internal abstract double TrialKl(TaskScratch scratch, double[] candidate);

    private InvalidOperationException NotYet(string what) =>
        new($"task {Context.Index} of meta-iteration {Context.Iteration}: its {what} is not collected yet");
}
