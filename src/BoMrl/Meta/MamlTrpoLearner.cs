using BoMrl.Adaptation;
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

    /// <summary>Creates the learner; φ₀ is drawn from stream (seed, −1).</summary>
    public MamlTrpoLearner(MetaTrainingSetup setup, MamlTrpoOptions options)
        : base(setup, Checked(options).Weighting, AdaptationOptions.PolicyGradientStep(options.FastLearningRate),
            // The inner objective is quadratic with H = 2λI: CG solves it exactly in its first iteration (2 are allowed).
            new HypergradientOptions(CgIterations: 2, Damping: 0), options.MetaUpdate)
    {
        _options = options;
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
    protected override TaskAdaptation Adapt(TaskScratch scratch, PolicyBatch batch, ReadOnlySpan<double> phi) =>
        TaskAdaptation.Run(scratch.Adaptation, scratch.Objectives, batch, phi, _options.NumSteps);

    /// <inheritdoc/>
    public override MetaTask CreateTask(TaskContext context) => new MamlTrpoTask(this, context, _options);

    /// <summary>The surrogate change on the validation batches, averaged over tasks (<see cref="MamlTrial"/>).</summary>
    protected override double TrialImprovement(IterationData data, ReadOnlySpan<double> candidate, TaskTrial[] trials) =>
        TaskMean(trials.Select(t => ((MamlTrial)t).SurrogateChange));
}
