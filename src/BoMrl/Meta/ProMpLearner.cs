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
public sealed record ProMpOptions(double InnerLearningRate, int InnerSteps, double ClipEpsilon, double InnerKlCoefficient,
    bool AdaptiveInnerKl, double TargetInnerKl, int PpoSteps, MetaUpdateOptions MetaUpdate)
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
/// with the same fixed π_φo in the denominator). Rows are weighted per step. η is checkpointed with the optimiser.
/// </summary>
public sealed class ProMpLearner : PerTaskMetaLearner
{
    private readonly ProMpOptions _options;
    private double _eta;
    private (IterationData Data, ProMpTaskData[] Tasks)? _prepared;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public ProMpLearner(MetaTrainingSetup setup, ProMpOptions options)
        : base(setup, RowWeighting.PerStep, AdaptationOptions.LikelihoodRatioStep(Checked(options).InnerLearningRate),
            // The inner objective is quadratic with H = 2λI: one undamped CG iteration solves it exactly.
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

    /// <summary>
    /// The outer objective around φo: its change and KL(π_φo ‖ π_φ) on the pre-adaptation states at a trial φ (the
    /// reported step KL). ProMP takes no TRPO step, so there is no curvature operator.
    /// </summary>
    protected override MetaObjective MetaObjective(IterationData data)
    {
        ProMpTaskData[] tasks = Prepare(data);
        var before = new Lazy<double>(() => Value(tasks, data.Phi)); // only a line search would ask
        return new MetaObjective(
            () => throw new InvalidOperationException("ProMP's meta-update is a first-order optimiser step; it has no trust-region curvature."),
            c =>
            {
                double[] trial = c.ToArray();
                return (Value(tasks, trial) - before.Value, Kl(tasks, trial));
            },
            c => Kl(tasks, c));
    }

    /// <summary>
    /// num_ppo_steps optimiser steps on the same batches: the first along the averaged meta-gradient at φo, each later
    /// one along the gradient recomputed at the current φ; then, when adaptive, η halved or doubled from the final KL.
    /// </summary>
    protected override MetaStep MetaUpdate(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ProMpTaskData[] tasks = Prepare(data);
        MetaObjective objective = MetaObjective(data);
        MetaStep step = Step(data.MetaGradient, objective);
        for (int s = 1; s < _options.PpoSteps; s++)
        {
            step = Step(Gradient(tasks, Phi), objective);
        }

        if (_options.AdaptiveInnerKl)
        {
            double target = _options.TargetInnerKl;
            _eta = step.Kl < target / 1.5 ? _eta / 2 : step.Kl > target * 1.5 ? _eta * 2 : _eta;
        }

        _prepared = null;
        return step;
    }

    private (double Value, CgSummary Cg) Evaluate(TaskWorker w, ProMpTaskData d, ReadOnlySpan<double> phi, Span<double> gradient) =>
        ProMpObjective.Evaluate(w.Objectives, w.Adaptation, w.Hypergradient, d, phi, _options.InnerSteps, _options.ClipEpsilon, _eta, gradient);

    /// <summary>Each task's fixed data of this meta-iteration (π_φo on B⁰, π_θ'(φo) on B¹), built once per iteration.</summary>
    private ProMpTaskData[] Prepare(IterationData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_prepared is { } p && ReferenceEquals(p.Data.Phi, data.Phi) && p.Data.Iteration == data.Iteration)
        {
            return p.Tasks;
        }

        var tasks = new ProMpTaskData[data.Thetas.Length];
        Workers.ForEach(tasks.Length, (i, w) =>
            tasks[i] = ProMpTaskData.Create(w.Objectives, data.PreRows[i], data.PostRows[i], data.Phi, data.Thetas[i]));
        _prepared = (data, tasks);
        return tasks;
    }

    private double[] Gradient(ProMpTaskData[] tasks, double[] phi)
    {
        var parts = new double[tasks.Length][];
        Workers.ForEach(tasks.Length, (i, w) =>
        {
            parts[i] = new double[phi.Length];
            Evaluate(w, tasks[i], phi, parts[i]);
        });
        var mean = new double[phi.Length];
        TaskWorkers.Mean(parts, mean);
        return mean;
    }

    private double Value(ProMpTaskData[] tasks, double[] phi)
    {
        var values = new double[tasks.Length];
        Workers.ForEach(tasks.Length, (i, w) => values[i] = Evaluate(w, tasks[i], phi, []).Value);
        return values.Average();
    }

    private double Kl(ProMpTaskData[] tasks, double[] phi)
    {
        var kls = new double[tasks.Length];
        Workers.ForEach(tasks.Length, (i, w) =>
            kls[i] = w.Objectives.MeanKl(phi, tasks[i].Pre, tasks[i].PreDistributions, KlDirection.ReferenceFirst, []));
        return kls.Average();
    }
}
