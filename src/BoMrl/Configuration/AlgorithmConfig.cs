using BoMrl.DistanceKinds;
using BoMrl.Objectives;

namespace BoMrl.Configuration;

/// <summary>
/// Config section <c>algorithm</c>: "bomrl" (Algorithm 2: Adam on eq. (7), CG hypergradient eq. (8)),
/// "maml-trpo" (pytorch-maml-rl), "emaml" (MAML-TRPO plus E-MAML's exploration term) or "promp" (ProMP's authors'
/// code). One JSON object for every learner (configs stay flat and old ones load); each learner's own keys, defaults
/// and checks are its <see cref="LearnerSection"/>, and a key of another learner set to other than its default is refused.
/// </summary>
public sealed record AlgorithmConfig
{
    /// <summary>Algorithm: bomrl, maml-trpo or promp. Required.</summary>
    public string? Name { get; init; }

    /// <summary>BO-MRL distance: kl1 (D1), kl2 (D2) or l2 (D3).</summary>
    public string Distance { get; init; } = "kl1";

    /// <summary>BO-MRL regularisation weight λ of eq. (1)/(7).</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>Adam iterations on the inner problem (7) (paper, Appendix B: 50).</summary>
    public int InnerIterations { get; init; } = 50;

    /// <summary>Adam learning rate on the inner problem.</summary>
    public double InnerLr { get; init; } = 0.01;

    /// <summary>Surrogate of J in (7): h-clipped, ratio or first-order.</summary>
    public string Surrogate { get; init; } = "h-clipped";

    /// <summary>MAML / ProMP inner policy-gradient step size α (pytorch-maml-rl fast-lr; ProMP run scripts' inner_lr 0.1).</summary>
    public double FastLr { get; init; } = 0.1;

    /// <summary>MAML / ProMP inner gradient steps (num-steps; ProMP's num_inner_grad_steps 1).</summary>
    public int NumSteps { get; init; } = 1;

    /// <summary>First-order MAML (no second derivatives through the inner step).</summary>
    public bool FirstOrder { get; init; }

    /// <summary>ProMP: ε of the clipped outer ratio (ProMP's MuJoCo run script: 0.3; its class default 0.2).</summary>
    public double ClipEps { get; init; } = 0.3;

    /// <summary>ProMP: initial coefficient η of the inner KL penalty (run script's init_inner_kl_penalty 5e-4).</summary>
    public double InnerKlCoeff { get; init; } = 5e-4;

    /// <summary>ProMP: halve / double η when the measured inner KL is below target/1.5 / above 1.5·target (run script: false).</summary>
    public bool AdaptiveInnerKl { get; init; }

    /// <summary>ProMP: the target of the adaptive η (pro_mp.py's target_inner_step 0.01).</summary>
    public double TargetInnerKl { get; init; } = 0.01;

    /// <summary>ProMP: optimiser steps per meta-iteration on the same batches (num_ppo_steps 5).</summary>
    public int NumPpoSteps { get; init; } = 5;

    /// <summary>CG iterations of the eq. (8) solve.</summary>
    public int HypergradientCgIterations { get; init; } = 20;

    /// <summary>Damping added to the eq. (8) matrix.</summary>
    public double HypergradientDamping { get; init; } = 0.01;

    /// <summary>
    /// The eq. (8) curvature products H·v use every k-th step of the batch (1 = all); the mixed term and g' always use
    /// all steps. Subsampled curvature is what keeps the hypergradient a small share of an iteration (Appendix E).
    /// </summary>
    public int HypergradientSubsample { get; init; } = 1;

    /// <summary>
    /// Row weights of every batch objective: "per-step" (every sampled step alike: eq. (7), the original MAML code, the
    /// ProMP code) or "per-episode" (mean over each episode's steps, then over episodes: pytorch-maml-rl). Absent = the
    /// learner's own: per-step for bomrl, per-episode for maml-trpo and emaml.
    /// </summary>
    public string? Weighting { get; init; }

    /// <summary>E-MAML: weight of the exploration term r̄ᵢ·mean log π_φ on the pre-adaptation batch (1 = as the ProMP code adds it).</summary>
    public double ExplorationWeight { get; init; } = 1.0;
    /// <summary>BO-MRL: stop the inner solve of (7) once ‖∇_θL‖₂ ≤ this; 0 = Adam runs all inner_iterations.</summary>
    public double InnerGradTol { get; init; }

    /// <summary>BO-MRL: L-BFGS iterations on (7) after Adam, towards a maximiser (0 = none).</summary>
    public int InnerLbfgsIterations { get; init; }

    /// <summary>BO-MRL: trust-region Newton–CG iterations on (7) after Adam (and L-BFGS), towards a maximiser (0 = none).</summary>
    public int InnerNewtonIterations { get; init; }

    /// <summary>BO-MRL: "fixed" λ, or "meta": λ = exp(ℓ) meta-learned with φ.</summary>
    public string LambdaLearning { get; init; } = "fixed";

    /// <summary>BO-MRL: step size of ℓ = log λ when lambda_learning is meta.</summary>
    public double LambdaLr { get; init; } = 0.01;

    /// <summary>BO-MRL: "eq8" (the batch as data) or "full" (plus the score-function term of the batch's dependence on φ).</summary>
    public string HypergradientTerms { get; init; } = "eq8";

    /// <summary>The algorithm names configs may use (registered in <see cref="MetaLearners"/>).</summary>
    public static IReadOnlyList<string> Names => MetaLearners.Names;

    /// <summary>The parsed <see cref="DistanceKinds.Distance"/>; throws <see cref="ConfigException"/> when unknown.</summary>
    public Distance ParseDistance() => DistanceNames.TryParse(Distance, out Distance d) ? d
        : throw new ConfigException($"config key 'algorithm.distance' must be one of kl1, kl2, l2 or the paper's d1, d2, d3 (got '{Distance}')");

    /// <summary>
    /// <see cref="Weighting"/>, or the learner's default when absent (<see cref="LearnerSection.DefaultWeighting"/>). The
    /// learner runs what this says.
    /// </summary>
    public string ResolvedWeighting() => Weighting ?? MetaLearners.Section(Name!).DefaultWeighting;

    /// <summary>The parsed row weighting (see <see cref="ResolvedWeighting"/>).</summary>
    public RowWeighting ParseWeighting() => ResolvedWeighting() switch
    {
        "per-step" => RowWeighting.PerStep,
        "per-episode" => RowWeighting.PerEpisode,
        string w => throw new ConfigException($"config key 'algorithm.weighting' must be one of per-step, per-episode (got '{w}')"),
    };

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ConfigException("missing config key 'algorithm.name'");
        }

        ConfigCheck.OneOf(Name, "algorithm.name", [.. Names]);
        _ = ParseWeighting();
        MetaLearners.Section(Name).Validate(this);
    }
}
