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

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public ProMpLearner(MetaTrainingSetup setup, ProMpOptions options)
        : base(setup, options.Weighting, AdaptationOptions.LikelihoodRatioStep(Checked(options).InnerLearningRate),
            // The inner objective is quadratic with H = 2λI: CG solves it exactly in its first iteration (2 are allowed).
            new HypergradientOptions(CgIterations: 2, Damping: 0), options.MetaUpdate)
    {
        _options = options;
        _eta = options.InnerKlCoefficient;
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
    protected override TaskAdaptation Adapt(TaskScratch scratch, PolicyBatch batch, ReadOnlySpan<double> phi)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        ArgumentNullException.ThrowIfNull(batch);
        var behaviour = new double[batch.Rows];
        scratch.Objectives.LogProbs(phi, batch, behaviour);
        return TaskAdaptation.Run(scratch.Adaptation, scratch.Objectives, batch, phi, _options.InnerSteps, behaviour);
    }

    /// <inheritdoc/>
    public override MetaTask CreateTask(TaskContext context) => new ProMpTask(this, context, _options);

    /// <summary>mean_i O_i(φ) − mean_i O_i(φo).</summary>
    protected override double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, TaskTrial[] trials) =>
        TaskMean(trials.Select(t => ((ProMpTrial)t).Value)) - TaskMean(trials.Select(t => ((ProMpTrial)t).Before));

    /// <summary>
    /// num_ppo_steps optimiser steps on the same batches: the first along the averaged meta-gradient at φo, each later
    /// one along the gradient recomputed at the current φ (<see cref="ProMpOuterGradient"/>, averaged in task order); then,
    /// when adaptive, η halved or doubled from the final KL.
    /// </summary>
    protected override MetaStep MetaUpdate(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        MetaObjective objective = MetaObjective(data);
        MetaStep step = Step(data.MetaGradient, objective);
        for (int s = 1; s < _options.PpoSteps; s++)
        {
            step = Step(TaskMean(Executor.Run(new ProMpOuterGradient(Phi))), objective);
        }

        if (_options.AdaptiveInnerKl)
        {
            double target = _options.TargetInnerKl;
            _eta = step.Kl < target / 1.5 ? _eta / 2 : step.Kl > target * 1.5 ? _eta * 2 : _eta;
        }

        return step;
    }
}
