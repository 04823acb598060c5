namespace BoMrl.Meta;

/// <summary>
/// The root of every record that crosses the executor seam (steps, replies, statistics, extras): what
/// <see cref="TaskCodec"/> encodes exactly, with a type name wherever a field is declared by a base type.
/// </summary>
public abstract record TaskRecord;

/// <summary>
/// One per-task step of a meta-iteration as a call record (docs/distributed.md, §2): the executor applies it to every
/// task's <see cref="MetaTask"/> and returns the replies in task order. A learner adds a step by declaring a record
/// and the method of its own <see cref="MetaTask"/> subclass that <see cref="TaskStep{TReply}.Apply"/> calls.
/// </summary>
public abstract record TaskStep : TaskRecord
{
    /// <summary>
    /// True when the step changes the task's state that later steps read (then it must set it the same way when
    /// repeated): a cluster replays such steps, in order, to rebuild a lost task.
    /// </summary>
    public virtual bool ChangesTaskState() => false;

    /// <summary>The type of the reply (how a reply is encoded).</summary>
    public abstract Type ReplyType();

    /// <summary>Runs the step on one task with one thread's scratch; returns its reply.</summary>
    public abstract object? ApplyTo(MetaTask task, TaskScratch scratch);
}

/// <summary>A per-task step whose reply is a <typeparamref name="TReply"/>.</summary>
/// <typeparam name="TReply">The reply's type.</typeparam>
public abstract record TaskStep<TReply> : TaskStep
{
    /// <summary>Runs the step on one task (calls the per-task method that implements it).</summary>
    public abstract TReply Apply(MetaTask task, TaskScratch scratch);

    /// <inheritdoc/>
    public sealed override Type ReplyType() => typeof(TReply);

    /// <inheritdoc/>
    public sealed override object? ApplyTo(MetaTask task, TaskScratch scratch) => Apply(task, scratch);
}

/// <summary>The reply of a step that only changes the task's state.</summary>
public sealed record Done : TaskRecord
{
    /// <summary>The one value.</summary>
    public static Done Value { get; } = new();
}

/// <summary>
/// A learner's small per-task numbers after the post-adaptation batch that every task's meta-gradient needs
/// (e.g. E-MAML's reward moments, BO-MRL's Ĵ_τ); sent back to every task with <see cref="MetaGradientStep"/>.
/// </summary>
public abstract record TaskStatistics : TaskRecord;

/// <summary>A learner's per-task results of the meta-gradient beyond it, reduced by its meta part (e.g. BO-MRL's dJ/dλ).</summary>
public abstract record TaskExtras : TaskRecord;

/// <summary>Algorithm 2, line 6 for one task, given every task's statistics (in task order; null where a learner has none).</summary>
/// <param name="Statistics">Every task's <see cref="MetaTask.Statistics"/>.</param>
public sealed record MetaGradientStep(TaskStatistics?[] Statistics) : TaskStep<TaskMetaGradient>
{
    /// <summary>A task may keep what it reads from the other tasks' statistics (E-MAML's credit).</summary>
    public override bool ChangesTaskState() => true;

    /// <inheritdoc/>
    public override TaskMetaGradient Apply(MetaTask task, TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.MetaGradient(scratch, this);
    }
}

/// <summary>Prepares the meta-update's old quantities around φ_old (before any curvature product or trial).</summary>
public sealed record PrepareOldQuantities : TaskStep<Done>
{
    /// <inheritdoc/>
    public override bool ChangesTaskState() => true;

    /// <inheritdoc/>
    public override Done Apply(MetaTask task, TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(task);
        task.PrepareOldQuantities(scratch);
        return Done.Value;
    }
}

/// <summary>The task's part F_i·v of TRPO's curvature-vector product F·v = 1/N Σ_i F_i·v.</summary>
/// <param name="V">The vector v.</param>
public sealed record CurvatureProductStep(double[] V) : TaskStep<double[]>
{
    /// <inheritdoc/>
    public override double[] Apply(MetaTask task, TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.CurvatureProduct(scratch, V);
    }
}

/// <summary>The task's part of a line-search trial at a candidate φ: its typed terms and KL.</summary>
/// <param name="Candidate">The trial φ.</param>
public sealed record TrialStep(double[] Candidate) : TaskStep<TaskTrial>
{
    /// <inheritdoc/>
    public override TaskTrial Apply(MetaTask task, TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.Trial(scratch, Candidate);
    }
}

/// <summary>The task's KL between π at φ_old and π at a candidate φ (the step's reported KL).</summary>
/// <param name="Candidate">The candidate φ.</param>
public sealed record TrialKlStep(double[] Candidate) : TaskStep<double>
{
    /// <inheritdoc/>
    public override double Apply(MetaTask task, TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(task);
        return task.TrialKl(scratch, Candidate);
    }
}

/// <summary>One task's meta-gradient (Algorithm 2, line 6), the outcome of its CG solves, and the learner's extras.</summary>
/// <param name="Gradient">The task's meta-gradient.</param>
/// <param name="Cg">The CG outcome of its solves.</param>
/// <param name="Extras">Per-task values the learner's meta part reduces itself (BO-MRL with a meta-learned λ: dJ/dλ).</param>
public sealed record TaskMetaGradient(double[] Gradient, CgSummary Cg, TaskExtras? Extras) : TaskRecord;

/// <summary>One task's part of a line-search trial: its KL; a learner's subclass adds the terms of the meta-objective's change.</summary>
/// <param name="Kl">The task's KL between π at φ_old and π at the trial φ.</param>
public record TaskTrial(double Kl) : TaskRecord;
