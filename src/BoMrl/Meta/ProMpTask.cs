using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>ProMP's part of a line-search trial: the task's outer objective at the trial φ and at φo, and the KL.</summary>
/// <param name="Value">O_i(φ) at the trial φ.</param>
/// <param name="Before">O_i(φo).</param>
/// <param name="Kl">KL(π_φo ‖ π_φ) on the pre-adaptation states.</param>
public sealed record ProMpTrial(double Value, double Before, double Kl) : TaskTrial(Kl);

/// <summary>ProMP's step of each later optimiser step of its meta-update: the task's ∇_φO at an inner φ.</summary>
/// <param name="Phi">The inner φ.</param>
public sealed record ProMpOuterGradient(double[] Phi) : TaskStep<double[]>
{
    /// <inheritdoc/>
    public override double[] Apply(MetaTask task, TaskScratch scratch) => ((ProMpTask)task).OuterGradient(scratch, Phi);
}

/// <summary>
/// One task of ProMP: the outer objective of <see cref="ProMpObjective"/> on the task's fixed data (π_φo on B⁰,
/// π_θ'(φo) on B¹, the meta-update's old quantities), and its value at φo once a trial asks.
/// </summary>
public sealed class ProMpTask(ProMpLearner learner, TaskContext context, ProMpOptions options) : MetaTask(learner, context)
{
    private ProMpTaskData? _data;
    private double? _before;

    /// <summary>The gradient of the task's outer objective at φo (ρ = 1 there, so the clip is inactive and ∇KL = 0).</summary>
    protected internal override TaskMetaGradient MetaGradient(TaskScratch scratch, MetaGradientStep step)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ProMpTaskData d = ProMpTaskData.Create(scratch.Objectives, PreRows, PostRows, Phi, Theta);
        var result = new double[ParameterCount];
        return new TaskMetaGradient(result, Evaluate(scratch, d, Phi, result).Cg, null);
    }

    /// <summary>The task's fixed data of this meta-iteration (π_φo on B⁰, π_θ'(φo) on B¹), kept while φ moves.</summary>
    protected internal override void PrepareOldQuantities(TaskScratch scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        _data = ProMpTaskData.Create(scratch.Objectives, PreRows, PostRows, Phi, Theta);
        _before = null;
    }

    /// <summary>The outer objective at the trial φ and at φo (computed on the first trial), and the KL.</summary>
    protected internal override TaskTrial Trial(TaskScratch scratch, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        double before = _before ??= Evaluate(scratch, Data, Phi, []).Value;
        return new ProMpTrial(Evaluate(scratch, Data, candidate, []).Value, before, TrialKl(scratch, candidate));
    }

    /// <summary>KL(π_φo ‖ π_φ) on the pre-adaptation states (the reported step KL).</summary>
    protected internal override double TrialKl(TaskScratch scratch, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ProMpTaskData d = Data;
        return scratch.Objectives.MeanKl(candidate, d.Pre, d.PreDistributions, KlDirection.ReferenceFirst, []);
    }

    /// <summary>∇_φO at an inner φ of the meta-update (<see cref="ProMpOuterGradient"/>).</summary>
    internal double[] OuterGradient(TaskScratch scratch, double[] phi)
    {
        var result = new double[phi.Length];
        Evaluate(scratch, Data, phi, result);
        return result;
    }

    private ProMpTaskData Data => _data ?? throw new InvalidOperationException("ProMP's task data are not prepared");

    private (double Value, CgSummary Cg) Evaluate(TaskScratch s, ProMpTaskData d, ReadOnlySpan<double> phi, Span<double> gradient) =>
        ProMpObjective.Evaluate(s.Objectives, s.Adaptation, s.Hypergradient, d, phi, options.InnerSteps, options.ClipEpsilon,
            learner.InnerKlCoefficient, gradient);
}
