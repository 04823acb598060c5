using BoMrl.Adaptation;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// Settings of ProMP as the authors' MuJoCo run script runs it (jonasrothfuss/ProMP
/// <c>run_scripts/pro-mp_run_mujoco.py</c>: inner_lr 0.1, num_inner_grad_steps 1, clip_eps 0.3,
/// init_inner_kl_penalty 5e-4, adaptive_inner_kl_penalty false, num_ppo_steps 5, Adam learning rate 1e-3;
/// <c>meta_algos/pro_mp.py</c>: target_inner_step 0.01, halve/double η outside [target/1.5, 1.5·target]).
/// </summary>
/// <param name="InnerLearningRate">Inner step size α.</param>
/// <param name="InnerSteps">Inner likelihood-ratio steps on the pre-adaptation batch.</param>
/// <param name="ClipEpsilon">ε of the clipped outer ratio.</param>
/// <param name="InnerKlCoefficient">Initial η of the inner KL penalty.</param>
/// <param name="AdaptiveInnerKl">Halve / double η after each meta-iteration when the measured KL is below target/1.5 / above 1.5·target.</param>
/// <param name="TargetInnerKl">The KL target of the adaptive η.</param>
/// <param name="PpoSteps">Full-batch optimiser steps per meta-iteration on the same batches.</param>
/// <param name="MetaUpdate">Adam (ProMP's) or SGD; TRPO is rejected.</param>
/// <param name="Weighting">How rows are averaged in every batch objective (per-step, as ProMP's authors do, unless the config says per-episode).</param>
public sealed record ProMpOptions(double InnerLearningRate, int InnerSteps, double ClipEpsilon, double InnerKlCoefficient,
    bool AdaptiveInnerKl, double TargetInnerKl, int PpoSteps, MetaUpdateOptions MetaUpdate, RowWeighting Weighting = RowWeighting.PerStep)
{
    /// <summary>Throws when a setting is out of range or not finite.</summary>
    public void Validate()
    {
        Positive(InnerLearningRate, nameof(InnerLearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(InnerSteps);
        if (!double.IsFinite(ClipEpsilon) || ClipEpsilon <= 0 || ClipEpsilon >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ClipEpsilon), ClipEpsilon, "clip_eps must lie in (0, 1).");
        }

        if (!double.IsFinite(InnerKlCoefficient) || InnerKlCoefficient < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InnerKlCoefficient), InnerKlCoefficient, "inner_kl_coeff must be finite and non-negative.");
        }

        Positive(TargetInnerKl, nameof(TargetInnerKl));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PpoSteps);
        ArgumentNullException.ThrowIfNull(MetaUpdate);
        MetaUpdate.Validate();
        if (MetaUpdate.Method == MetaUpdateMethod.Trpo)
        {
            throw new ArgumentException("ProMP takes first-order optimiser steps: meta_update.method must be adam or sgd.", nameof(MetaUpdate));
        }
    }

    private static void Positive(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "The setting must be finite and positive.");
        }
    }
}

/// <summary>
/// ProMP (Rothfuss et al., "ProMP: Proximal Meta-Policy Search", ICLR 2019). Meta-iteration k: N tasks; B⁰ per task
/// with π_φo; θ' = φ + α∇_φ mean_{B⁰}[(π_φ/π_φo)·Â⁰] (the adaptation component's likelihood-ratio step, whose
/// φ-derivative is the LVC estimator); B¹ with π_θ'; then <see cref="ProMpOptions.PpoSteps"/> full-batch optimiser
/// steps on the same batches, each on the gradient of <see cref="ProMpObjective"/> at the current φ (θ'(φ) recomputed
/// with the same fixed π_φo in the denominator). Rows are weighted per step unless the config says per-episode. η is checkpointed with the optimiser.
/// </summary>
public sealed class ProMpLearner : PerTaskMetaLearner
{
    private readonly ProMpOptions _options;
    private double _eta;

    /// <summary>Per-task slots of the meta-update: the task's fixed data, and its outer objective at φo once a trial asks.</summary>
    private readonly ProMpTaskData[] _tasks;
    private readonly double?[] _before;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public ProMpLearner(MetaTrainingSetup setup, ProMpOptions options)
        : base(setup, options.Weighting, AdaptationOptions.LikelihoodRatioStep(Checked(options).InnerLearningRate),
            // The inner objective is quadratic with H = 2λI: CG solves it exactly in its first iteration (2 are allowed).
            new HypergradientOptions(CgIterations: 2, Damping: 0), options.MetaUpdate)
    {
        _options = options;
        _eta = options.InnerKlCoefficient;
        _tasks = new ProMpTaskData[setup.MetaBatchSize];
        _before = new double?[setup.MetaBatchSize];
    }

    /// <inheritdoc/>
    public override string Algorithm => "promp";

    /// <summary>The current inner KL coefficient η (changes only when adaptive).</summary>
    public double InnerKlCoefficient => _eta;

    /// <inheritdoc/>
    protected override double[] LearnerState => [_eta];

    /// <inheritdoc/>
    protected override void RestoreLearnerState(ReadOnlySpan<double> state)
    {
        if (!double.IsFinite(state[0]) || state[0] < 0)
        {
            throw new ArgumentException("The checkpointed inner KL coefficient must be finite and non-negative.", nameof(state));
        }

        _eta = state[0];
    }

    private static ProMpOptions Checked(ProMpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>Likelihood-ratio steps on <paramref name="batch"/>, which π_φ collected (π_φ is the fixed denominator).</summary>
    protected override TaskAdaptation Adapt(TaskWorker worker, PolicyBatch batch, ReadOnlySpan<double> phi)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(batch);
        var behaviour = new double[batch.Rows];
        worker.Objectives.LogProbs(phi, batch, behaviour);
        return TaskAdaptation.Run(worker.Adaptation, worker.Objectives, batch, phi, _options.InnerSteps, behaviour);
    }

    /// <summary>The gradient of the task's outer objective at φo (ρ = 1 there, so the clip is inactive and ∇KL = 0).</summary>
    protected override CgSummary MetaGradient(TaskWorker worker, IterationData data, int task, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        ProMpTaskData d = ProMpTaskData.Create(worker.Objectives, data.PreRows[task], data.PostRows[task], data.Phi, data.Thetas[task]);
        return Evaluate(worker, d, data.Phi, result).Cg;
    }

    /// <summary>Task i's fixed data of this meta-iteration (π_φo on B⁰, π_θ'(φo) on B¹), kept while φ moves.</summary>
    protected override void PrepareTask(TaskWorker worker, IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        _tasks[task] = ProMpTaskData.Create(worker.Objectives, data.PreRows[task], data.PostRows[task], data.Phi, data.Thetas[task]);
        _before[task] = null;
    }

    /// <summary>
    /// Task i's outer objective at the trial φ and at φo (computed on the first trial): the line search's change is the
    /// difference of their task means. ProMP takes no TRPO step, so it has no curvature product.
    /// </summary>
    protected override TaskTrial EvaluateTrial(TaskWorker worker, IterationData data, int task, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        double before = _before[task] ??= Evaluate(worker, _tasks[task], data.Phi, []).Value;
        return new TaskTrial([Evaluate(worker, _tasks[task], candidate, []).Value, before], TrialKl(worker, data, task, candidate));
    }

    /// <summary>mean_i O_i(φ) − mean_i O_i(φo).</summary>
    protected override double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, ReadOnlySpan<double> termMeans) =>
        termMeans[0] - termMeans[1];

    /// <summary>Task i's KL(π_φo ‖ π_φ) on its pre-adaptation states (the reported step KL).</summary>
    protected override double TrialKl(TaskWorker worker, IterationData data, int task, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ProMpTaskData d = _tasks[task];
        return worker.Objectives.MeanKl(candidate, d.Pre, d.PreDistributions, KlDirection.ReferenceFirst, []);
    }

    /// <summary>
    /// num_ppo_steps optimiser steps on the same batches: the first along the averaged meta-gradient at φo, each later
    /// one along the gradient recomputed at the current φ (<see cref="OuterGradient"/>, averaged in task order); then,
    /// when adaptive, η halved or doubled from the final KL.
    /// </summary>
    protected override MetaStep MetaUpdate(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        MetaObjective objective = MetaObjective(data);
        MetaStep step = Step(data.MetaGradient, objective);
        for (int s = 1; s < _options.PpoSteps; s++)
        {
            step = Step(TaskGradientMean(data, Phi), objective);
        }

        if (_options.AdaptiveInnerKl)
        {
            double target = _options.TargetInnerKl;
            _eta = step.Kl < target / 1.5 ? _eta / 2 : step.Kl > target * 1.5 ? _eta * 2 : _eta;
        }

        return step;
    }

    /// <summary>Task i's ∇_φO at an inner φ of the meta-update (the per-task hook of each later optimiser step).</summary>
    protected override void OuterGradient(TaskWorker worker, IterationData data, int task, double[] phi, Span<double> result) =>
        Evaluate(worker, _tasks[task], phi, result);

    private (double Value, CgSummary Cg) Evaluate(TaskWorker w, ProMpTaskData d, ReadOnlySpan<double> phi, Span<double> gradient) =>
        ProMpObjective.Evaluate(w.Objectives, w.Adaptation, w.Hypergradient, d, phi, _options.InnerSteps, _options.ClipEpsilon, _eta, gradient);
}
