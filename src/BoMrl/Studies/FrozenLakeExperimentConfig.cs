using System.Text.Json.Serialization;
using BoMrl.DistanceKinds;
using BoMrl.Environments.FrozenLake;
using BoMrl.Numerics;
using BoMrl.Tabular.Adaptation;
using BoMrl.Tabular.Theory;

namespace BoMrl.Studies;

/// <summary>
/// Configuration of the Frozen Lake verification experiment (Section 6.1, Appendix A; docs/design.md §7). Defaults are
/// documented in docs/frozenlake.md; <see cref="Paper"/> gives the paper's six configurations.
/// </summary>
public sealed record FrozenLakeExperimentConfig
{
    /// <summary>Label of the task distribution: "high" (p = 0.3), "low" (p = 0.1) or "custom".</summary>
    public string Variance { get; init; } = "high";

    /// <summary>Within-task distance: kl1, kl2 or l2 (D1, D2, D3; d1, d2, d3 are read too, kl1/kl2/l2 written).</summary>
    public string Distance { get; init; } = "kl1";

    /// <summary>Grid side N (the paper does not say; gym's default map is 4×4).</summary>
    public int Size { get; init; } = 4;

    /// <summary>Hole probability p ∈ [0, 1).</summary>
    public double HoleProbability { get; init; } = FrozenLakeDistribution.HighVarianceHoleProbability;

    /// <summary>Slippery dynamics (gym's default) or deterministic moves.</summary>
    public bool Slippery { get; init; } = true;

    /// <summary>The paper's discount γ = 0.8 (Appendix A).</summary>
    public const double PaperGamma = 0.8;

    /// <summary>Discount γ (paper: 0.8).</summary>
    public double Gamma { get; init; } = PaperGamma;

    /// <summary>Training tasks (paper: 20).</summary>
    public int TrainTasks { get; init; } = 20;

    /// <summary>
    /// Held-out test tasks. 100: the TEOG is an expectation over P(Γ), and with 20 held-out tasks its sampling error
    /// (≈ 0.03) exceeds the differences the experiment compares (≈ 0.01).
    /// </summary>
    public int TestTasks { get; init; } = 100;

    /// <summary>Regularisation weight λ of Alg.</summary>
    public double Lambda { get; init; } = 0.5;

    /// <summary>BO-MRL's λ: "fixed" (the configured one) or "meta" (λ = exp(ℓ) meta-learned with φ from the configured λ).</summary>
    public string LambdaLearning { get; init; } = "fixed";

    /// <summary>Step size of ℓ = log λ when <see cref="LambdaLearning"/> is "meta".</summary>
    public double LambdaLr { get; init; } = 0.01;

    /// <summary>Meta-iterations T of Algorithm 1 (for BO-MRL and for MAML).</summary>
    public int Iterations { get; init; } = 300;

    /// <summary>
    /// Tasks sampled (without replacement) per meta-iteration; the default 20 uses every training task, which makes
    /// exact-Q meta-training deterministic gradient ascent and keeps the comparison with MAML free of SGD luck.
    /// </summary>
    public int TasksPerIteration { get; init; } = 20;

    /// <summary>
    /// Meta learning rate α per state: the SGD step is α·|S| times the hypergradient, because ∂J/∂φ(s,·) carries the
    /// visitation ν(s) ≈ 1/|S|, so the same α moves the logits of a visited state by a similar amount on every grid size.
    /// </summary>
    public double MetaLearningRate { get; init; } = 1.0;

    /// <summary>
    /// D3 state weighting: "per-state" (eq. 1, default here: with the paper's λ = 0.04 it adapts about as much as D1/D2
    /// at 0.5) or "visitation" (docs/design.md §3a, eq. 2: about |S| times weaker); see <see cref="EuclideanWeighting"/>.
    /// </summary>
    public string D3Weighting { get; init; } = "per-state";

    /// <summary>"mc" (Monte-Carlo Q, as the paper) or "exact".</summary>
    public string Q { get; init; } = "mc";

    /// <summary>Monte-Carlo rollouts per state-action pair for each Q estimate.</summary>
    public int RolloutsPerPair { get; init; } = 50;

    /// <summary>Monte-Carlo rollout horizon (γ^H ≈ 1.4e-5 at H = 50, γ = 0.8).</summary>
    public int Horizon { get; init; } = 50;

    /// <summary>
    /// MAML's fast learning rate α on ∇J (its inner step is θ' = φ + α∇J). Default (1 − γ)/(2λ₃)
    /// (<see cref="TabularAdaptation.PolicyGradientCorrespondence"/>) with the paper's D3 λ₃
    /// of the preset (2.5 high, 5 low): the policy-gradient step that is the first-order form of the paper's D3
    /// within-task problem (Appendix H, eq. 11).
    /// </summary>
    public double MamlStepSize { get; init; } = 2.5;

    /// <summary>Bound B of the comparator's parameters (π*_τ optimal in [−B, B]^{|S||A|}).</summary>
    public double ParameterBound { get; init; } = TabularTheory.DefaultParameterBound;

    /// <summary>Adaptation steps at meta-test (paper: 0..4).</summary>
    public int AdaptationSteps { get; init; } = 4;

    /// <summary>Root seed: maps, task sampling and Monte-Carlo streams all derive from it.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>
    /// Worker threads of the per-task loops (meta-training batches, meta-test, the finite-difference check); 0 = every
    /// core (<see cref="ThreadCount"/>). Results do not depend on it.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>The paper's λ (Appendix A): high 0.5/0.5/0.04, low 0.25/0.25/0.02 for D1/D2/D3.</summary>
    public static double PaperLambda(string variance, Distance distance) => (variance, distance) switch
    {
        ("high", DistanceKinds.Distance.Euclidean) => 0.04,
        ("high", _) => 0.5,
        ("low", DistanceKinds.Distance.Euclidean) => 0.02,
        ("low", _) => 0.25,
        _ => throw new ArgumentException($"unknown variance preset '{variance}' (high|low)", nameof(variance)),
    };

    /// <summary>A paper configuration: preset hole probability and the paper's λ, everything else default.</summary>
    public static FrozenLakeExperimentConfig Paper(string variance, Distance distance) => new()
    {
        Variance = variance,
        Distance = distance.ToName(),
        HoleProbability = variance == "low" ? FrozenLakeDistribution.LowVarianceHoleProbability : FrozenLakeDistribution.HighVarianceHoleProbability,
        Lambda = PaperLambda(variance, distance),
        MamlStepSize = Math.Round(TabularAdaptation.PolicyGradientCorrespondence(PaperLambda(variance, DistanceKinds.Distance.Euclidean), PaperGamma), 12),
    };

    /// <summary>The parsed distance.</summary>
    [JsonIgnore]
    public Distance ParsedDistance => DistanceNames.TryParse(Distance, out Distance d) ? d : throw new ArgumentException($"unknown distance '{Distance}' (kl1|kl2|l2 or d1|d2|d3)");

    /// <summary>The parsed D3 weighting.</summary>
    [JsonIgnore]
    public EuclideanWeighting ParsedWeighting => D3Weighting == "per-state" ? EuclideanWeighting.PerState : EuclideanWeighting.Visitation;

    /// <summary>Validates every setting; throws <see cref="ArgumentException"/> naming the first bad one.</summary>
    public void Validate()
    {
        _ = ParsedDistance;
        new FrozenLakeDistribution(Size, HoleProbability, Slippery, Gamma).Validate();
        if (!double.IsFinite(Lambda) || Lambda <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "λ must be positive and finite.");
        }

        if (LambdaLearning is not ("fixed" or "meta"))
        {
            throw new ArgumentException($"--lambda-learning must be fixed or meta (got '{LambdaLearning}')", nameof(LambdaLearning));
        }

        if (!double.IsFinite(LambdaLr) || LambdaLr <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(LambdaLr), LambdaLr, "the λ learning rate must be positive and finite.");
        }

        if (!double.IsFinite(MetaLearningRate) || MetaLearningRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MetaLearningRate), MetaLearningRate, "must be positive and finite.");
        }

        if (!double.IsFinite(MamlStepSize) || MamlStepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MamlStepSize), MamlStepSize, "must be positive and finite.");
        }

        if (!double.IsFinite(ParameterBound) || ParameterBound <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ParameterBound), ParameterBound, "must be positive and finite.");
        }

        if (D3Weighting is not ("visitation" or "per-state"))
        {
            throw new ArgumentException($"unknown D3 weighting '{D3Weighting}' (visitation|per-state)");
        }

        if (Q is not ("mc" or "exact"))
        {
            throw new ArgumentException($"unknown Q estimator '{Q}' (mc|exact)");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TrainTasks);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TestTasks);
        ArgumentOutOfRangeException.ThrowIfNegative(Iterations);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TasksPerIteration);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(RolloutsPerPair);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Horizon);
        ArgumentOutOfRangeException.ThrowIfNegative(AdaptationSteps);
        ArgumentOutOfRangeException.ThrowIfNegative(Threads);
    }
}
