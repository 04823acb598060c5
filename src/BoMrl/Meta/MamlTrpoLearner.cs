using BoMrl.Adaptation;
using BoMrl.Numerics;
using BoMrl.Objectives;

namespace BoMrl.Meta;

/// <summary>
/// Settings of MAML-TRPO as pytorch-maml-rl runs it (configs/maml/2d-navigation.yaml: fast-lr 0.1, num-steps 1,
/// first-order false, max-kl 0.01, cg-iters 10, cg-damping 1e-5, ls-max-steps 15, ls-backtrack-ratio 0.8).
/// </summary>
/// <param name="FastLearningRate">Inner policy-gradient step size α (fast-lr).</param>
/// <param name="NumSteps">Inner policy-gradient steps on the training batch (num-steps).</param>
/// <param name="FirstOrder">Treat dθ'/dφ as the identity (first-order MAML).</param>
/// <param name="MetaUpdate">TRPO (the algorithm's own) or SGD/Adam.</param>
/// <param name="Weighting">
/// Row weights of every batch objective: per episode (pytorch-maml-rl's mean over each episode's steps, then over
/// episodes; the default) or per step (every sampled step alike, as the original MAML code and the ProMP code do).
/// </param>
public sealed record MamlTrpoOptions(double FastLearningRate, int NumSteps, bool FirstOrder, MetaUpdateOptions MetaUpdate,
    RowWeighting Weighting = RowWeighting.PerEpisode)
{
    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (!double.IsFinite(FastLearningRate) || FastLearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FastLearningRate), FastLearningRate, "fast_lr must be finite and positive.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(NumSteps);
        ArgumentNullException.ThrowIfNull(MetaUpdate);
        MetaUpdate.Validate();
        if (!Enum.IsDefined(Weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "Unknown row weighting.");
        }
    }
}

/// <summary>
/// MAML-TRPO (Finn et al. 2017, as implemented by pytorch-maml-rl's MAMLTRPO). Meta-iteration k: N tasks; a training
/// batch per task with π_φ; θ' by num_steps policy-gradient steps θ ← θ + α∇_θ Σ w Â log π_θ on that batch — the
/// library's adaptation component configured as first-order surrogate + D3 with λ = 1/(2α) (Appendix H, docs/design.md §3c);
/// a validation batch with π_θ'; the meta-gradient ∇_φ of the post-adaptation surrogate Σ w (π_θ'(φ)/π_θ'old)·Â,
/// i.e. (dθ'/dφ)ᵀg' through the inner step (Hessian-vector products of the inner objective);
/// and the shared TRPO step whose Fisher is the Hessian of the KL of the adapted policies,
/// KL(π_θ'(φ) ‖ π_θ'(φold)) on the validation states — (dθ'/dφ)ᵀF'(dθ'/dφ) — with a backtracking line search that
/// re-adapts at each trial φ and requires the surrogate to improve and that KL ≤ δ. Rows are weighted per episode
/// by default (pytorch-maml-rl's mean over each episode's steps, then over episodes) or per step
/// (<see cref="MamlTrpoOptions.Weighting"/>).
/// </summary>
public class MamlTrpoLearner : PerTaskMetaLearner
{
    private readonly MamlTrpoOptions _options;

    /// <summary>Per-task slots of the meta-update: π_θ'old's distributions, log-probabilities and surrogate on B¹.</summary>
    private readonly double[][] _oldDists, _oldLogp;
    private readonly double[] _oldSurrogate;

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public MamlTrpoLearner(MetaTrainingSetup setup, MamlTrpoOptions options)
        : base(setup, Checked(options).Weighting, AdaptationOptions.PolicyGradientStep(options.FastLearningRate),
            // The inner objective is quadratic with H = 2λI: CG solves it exactly in its first iteration (2 are allowed).
            new HypergradientOptions(CgIterations: 2, Damping: 0), options.MetaUpdate)
    {
        _options = options;
        _oldDists = new double[setup.MetaBatchSize][];
        _oldLogp = new double[setup.MetaBatchSize][];
        _oldSurrogate = new double[setup.MetaBatchSize];
    }

    /// <inheritdoc/>
    public override string Algorithm => "maml-trpo";

    /// <summary>The settings (for learners built on this one, such as E-MAML).</summary>
    protected MamlTrpoOptions Options => _options;

    private static MamlTrpoOptions Checked(MamlTrpoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options;
    }

    /// <summary>num_steps policy-gradient steps θ ← θ + α·ĝ on the training batch.</summary>
    protected override TaskAdaptation Adapt(TaskWorker worker, PolicyBatch batch, ReadOnlySpan<double> phi) =>
        TaskAdaptation.Run(worker.Adaptation, worker.Objectives, batch, phi, _options.NumSteps);

    /// <summary>(dθ'/dφ)ᵀg' through the inner steps (eq. (8) with H = 2λI), or g' itself when first-order.</summary>
    protected override CgSummary MetaGradient(TaskWorker worker, IterationData data, int task, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        if (_options.FirstOrder)
        {
            worker.Objectives.PolicyGradientObjective(data.Thetas[task], data.PostRows[task], result);
            return default;
        }

        return worker.Hypergradient.Compute(worker.Objectives, data.Adapted[task], data.PostRows[task], result);
    }

    /// <summary>
    /// TRPO through the adaptation, on the validation batches: task i's π_θ'old distributions and log-probabilities and
    /// its surrogate there (the old quantities of the Fisher and the line search).
    /// </summary>
    protected override void PrepareTask(TaskWorker worker, IterationData data, int task)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        PolicyBatch post = data.PostRows[task];
        double[] theta = data.Thetas[task];
        _oldDists[task] = new double[worker.Objectives.DistributionLength(post)];
        worker.Objectives.Distributions(theta, post, _oldDists[task]);
        _oldLogp[task] = new double[post.Rows];
        worker.Objectives.LogProbs(theta, post, _oldLogp[task]);
        _oldSurrogate[task] = worker.Objectives.RatioSurrogate(theta, post, _oldLogp[task], clipped: false, []);
    }

    /// <summary>(dθ'/dφ)ᵀ · ∇²_θ KL(π_θ ‖ π_θ'old)|θ' · (dθ'/dφ) · v for task i (the Fisher of the adapted policies).</summary>
    protected override void CurvatureProduct(TaskWorker worker, IterationData data, int task, ReadOnlySpan<double> v, Span<double> result)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        int n = ParameterCount;
        var jv = new double[n];
        if (_options.FirstOrder)
        {
            v.CopyTo(jv);
        }
        else
        {
            worker.Hypergradient.JacobianProduct(data.Adapted[task], worker.Objectives, v, jv);
        }

        var fjv = new double[n];
        PolicyBatch post = data.PostRows[task];
        double[] oldDists = _oldDists[task];
        HessianVector.ForwardDifference((p, g) => worker.Objectives.MeanKl(p, post, oldDists, KlDirection.PolicyFirst, g),
            data.Thetas[task], [], jv, fjv, worker.Scratch);
        if (_options.FirstOrder)
        {
            fjv.CopyTo(result);
        }
        else
        {
            worker.Hypergradient.TransposeJacobianProduct(data.Adapted[task], worker.Objectives, fjv, result);
        }
    }

    /// <summary>Re-adapts task i at the trial φ: [surrogate change on the validation batch], KL(π_θ'(φ) ‖ π_θ'old).</summary>
    protected override TaskTrial EvaluateTrial(TaskWorker worker, IterationData data, int task, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        double[] theta = Adapt(worker, data.PreRows[task], candidate).ThetaPrime;
        double s = worker.Objectives.RatioSurrogate(theta, data.PostRows[task], _oldLogp[task], clipped: false, []) - _oldSurrogate[task];
        return new TaskTrial([s], AdaptedKl(worker, data, task, theta));
    }

    /// <summary>Re-adapts task i at the trial φ: KL(π_θ'(φ) ‖ π_θ'old) on the validation states.</summary>
    protected override double TrialKl(TaskWorker worker, IterationData data, int task, double[] candidate)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(data);
        return AdaptedKl(worker, data, task, Adapt(worker, data.PreRows[task], candidate).ThetaPrime);
    }

    private double AdaptedKl(TaskWorker worker, IterationData data, int task, double[] theta) =>
        worker.Objectives.MeanKl(theta, data.PostRows[task], _oldDists[task], KlDirection.PolicyFirst, []);
}
