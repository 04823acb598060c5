using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using BoMrl.Adaptation;
using BoMrl.Meta;

namespace BoMrl.Configuration;

/// <summary>Builds a learner from the shared setup, the algorithm section and the meta-update settings.</summary>
internal delegate IMetaLearner LearnerFactory(MetaTrainingSetup setup, AlgorithmConfig a, MetaUpdateConfig m, MetaUpdateOptions metaUpdate);

/// <summary>
/// One learner's part of a config: the keys it reads (dotted paths), its default row weighting and the meta-updates it
/// takes, the checks of its own keys, how it is built, and how a report names its settings.
/// </summary>
/// <param name="Name">The config's <c>algorithm.name</c>.</param>
/// <param name="Keys">Every learner-specific key it reads; a key another learner owns, set to other than its default, is refused.</param>
/// <param name="DefaultWeighting">The row weighting when <c>algorithm.weighting</c> is absent.</param>
/// <param name="MetaUpdateMethods">The <c>meta_update.method</c> values it takes.</param>
/// <param name="Validate">Checks its own keys (a <see cref="ConfigException"/> names the key).</param>
/// <param name="Create">Builds the learner.</param>
/// <param name="Describe">The settings a tuning grid varies, for study tables.</param>
internal sealed record LearnerSection(string Name, IReadOnlyList<string> Keys, string DefaultWeighting,
    IReadOnlyList<string> MetaUpdateMethods, Action<AlgorithmConfig> Validate, LearnerFactory Create, Func<TrainConfig, string> Describe);

/// <summary>The four learners' config sections (BO-MRL, MAML-TRPO, E-MAML, ProMP), in the order error messages list them.</summary>
internal static class LearnerSections
{
    private static readonly string[] MamlKeys = ["algorithm.fast_lr", "algorithm.num_steps", "algorithm.first_order"];

    /// <summary>Every section.</summary>
    public static IReadOnlyList<LearnerSection> All { get; } =
    [
        new("bomrl",
            ["algorithm.distance", "algorithm.lambda", "algorithm.inner_iterations", "algorithm.inner_lr", "algorithm.surrogate",
             "algorithm.hypergradient_cg_iterations", "algorithm.hypergradient_damping", "algorithm.hypergradient_subsample",
             "algorithm.inner_grad_tol", "algorithm.inner_lbfgs_iterations", "algorithm.inner_newton_iterations",
             "algorithm.lambda_learning", "algorithm.lambda_lr", "algorithm.hypergradient_terms", "meta_update.fisher_subsample"],
            "per-step", ["trpo", "sgd", "adam"], ValidateBoMrl,
            (setup, a, m, metaUpdate) => new BoMrlLearner(setup, new BoMrlOptions(
                new AdaptationOptions(a.ParseDistance(), ParseSurrogate(a.Surrogate), a.Lambda, a.InnerIterations, a.InnerLr,
                    a.InnerGradTol, a.InnerLbfgsIterations, a.InnerNewtonIterations),
                new HypergradientOptions(a.HypergradientCgIterations, a.HypergradientDamping, CurvatureSubsample: a.HypergradientSubsample),
                metaUpdate, m.FisherSubsample, a.ParseWeighting(), a.LambdaLearning == "meta", a.LambdaLr, a.HypergradientTerms == "full")),
            DescribeBoMrl),
        new("maml-trpo", MamlKeys, "per-episode", ["trpo", "sgd", "adam"], ValidateMaml,
            (setup, a, _, metaUpdate) => new MamlTrpoLearner(setup, MamlOptions(a, metaUpdate)), DescribeMaml),
        new("emaml", [.. MamlKeys, "algorithm.exploration_weight"], "per-episode", ["trpo", "sgd", "adam"],
            a => { ValidateMaml(a); ConfigCheck.NonNegative(a.ExplorationWeight, "algorithm.exploration_weight"); },
            (setup, a, _, metaUpdate) => new EMamlLearner(setup, new EMamlOptions(MamlOptions(a, metaUpdate), a.ExplorationWeight)), DescribeMaml),
        new("promp",
            ["algorithm.fast_lr", "algorithm.num_steps", "algorithm.clip_eps", "algorithm.inner_kl_coeff", "algorithm.adaptive_inner_kl",
             "algorithm.target_inner_kl", "algorithm.num_ppo_steps"],
            "per-step", ["adam", "sgd"], ValidateProMp,
            (setup, a, _, metaUpdate) => new ProMpLearner(setup, new ProMpOptions(a.FastLr, a.NumSteps, a.ClipEps, a.InnerKlCoeff,
                a.AdaptiveInnerKl, a.TargetInnerKl, a.NumPpoSteps, metaUpdate, a.ParseWeighting())),
            DescribeMaml),
    ];

    /// <summary>
    /// Refuses a learner-specific key of another learner (one no key list of <paramref name="section"/> holds) whose value
    /// differs from its default: the learner would ignore it, so the run would not do what the config says.
    /// </summary>
    public static void CheckForeignKeys(TrainConfig config, LearnerSection section)
    {
        JsonNode mine = JsonSerializer.SerializeToNode(config, ConfigJson.TrainConfig)!;
        JsonNode defaults = JsonSerializer.SerializeToNode(new TrainConfig(), ConfigJson.TrainConfig)!;
        foreach (LearnerSection other in All)
        {
            foreach (string key in other.Keys.Where(k => !section.Keys.Contains(k)))
            {
                if (!JsonNode.DeepEquals(At(mine, key), At(defaults, key)))
                {
                    throw new ConfigException($"config key '{key}' belongs to algorithm {other.Name}; {section.Name} does not use it " +
                        $"(remove it, or set it to its default {At(defaults, key)?.ToJsonString() ?? "null"})");
                }
            }
        }
    }

    private static JsonNode? At(JsonNode root, string dotted)
    {
        JsonNode? node = root;
        foreach (string part in dotted.Split('.'))
        {
            node = node?[part];
        }

        return node;
    }

    private static void ValidateBoMrl(AlgorithmConfig a)
    {
        ConfigCheck.NotNull(a.Distance, "algorithm.distance");
        _ = a.ParseDistance();
        ConfigCheck.Positive(a.Lambda, "algorithm.lambda");
        ConfigCheck.Positive(a.InnerIterations, "algorithm.inner_iterations");
        ConfigCheck.Positive(a.InnerLr, "algorithm.inner_lr");
        ConfigCheck.OneOf(a.Surrogate, "algorithm.surrogate", "h-clipped", "ratio", "first-order");
        ConfigCheck.Positive(a.HypergradientCgIterations, "algorithm.hypergradient_cg_iterations");
        ConfigCheck.NonNegative(a.HypergradientDamping, "algorithm.hypergradient_damping");
        ConfigCheck.Positive(a.HypergradientSubsample, "algorithm.hypergradient_subsample");
        ConfigCheck.NonNegative(a.InnerGradTol, "algorithm.inner_grad_tol");
        ConfigCheck.NonNegative(a.InnerLbfgsIterations, "algorithm.inner_lbfgs_iterations");
        ConfigCheck.NonNegative(a.InnerNewtonIterations, "algorithm.inner_newton_iterations");
        ConfigCheck.OneOf(a.LambdaLearning, "algorithm.lambda_learning", "fixed", "meta");
        ConfigCheck.Positive(a.LambdaLr, "algorithm.lambda_lr");
        ConfigCheck.OneOf(a.HypergradientTerms, "algorithm.hypergradient_terms", "eq8", "full");
    }

    private static void ValidateMaml(AlgorithmConfig a)
    {
        ConfigCheck.Positive(a.FastLr, "algorithm.fast_lr");
        ConfigCheck.Positive(a.NumSteps, "algorithm.num_steps");
    }

    private static void ValidateProMp(AlgorithmConfig a)
    {
        ValidateMaml(a);
        ConfigCheck.InRange(a.ClipEps, "algorithm.clip_eps", 0, 1, lowOpen: true, highOpen: true);
        ConfigCheck.NonNegative(a.InnerKlCoeff, "algorithm.inner_kl_coeff");
        ConfigCheck.Positive(a.TargetInnerKl, "algorithm.target_inner_kl");
        ConfigCheck.Positive(a.NumPpoSteps, "algorithm.num_ppo_steps");
    }

    private static MamlTrpoOptions MamlOptions(AlgorithmConfig a, MetaUpdateOptions metaUpdate) =>
        new(a.FastLr, a.NumSteps, a.FirstOrder, metaUpdate, a.ParseWeighting());

    private static SurrogateKind ParseSurrogate(string text) => SurrogateNames.TryParse(text, out SurrogateKind s) ? s
        : throw new ConfigException($"config key 'algorithm.surrogate' must be one of h-clipped, ratio, first-order (got '{text}')");

    /// <summary>The meta-update: TRPO's δ, or the optimiser and its step.</summary>
    private static string MetaStep(TrainConfig c) => c.MetaUpdate.Method == "trpo"
        ? string.Create(CultureInfo.InvariantCulture, $"δ {c.MetaUpdate.MaxKl:G3}")
        : string.Create(CultureInfo.InvariantCulture, $"{c.MetaUpdate.Method} {c.MetaUpdate.Lr:G3}");

    private static string DescribeMaml(TrainConfig c) => string.Create(CultureInfo.InvariantCulture, $"{MetaStep(c)}; α {c.Algorithm.FastLr:G3}");

    private static string DescribeBoMrl(TrainConfig c)
    {
        var inv = CultureInfo.InvariantCulture;
        var parts = new List<string>
        {
            MetaStep(c),
            string.Create(inv, $"λ {c.Algorithm.Lambda:G3}") + (c.Algorithm.LambdaLearning == "meta" ? " meta-learned" : ""),
            c.Sampler.Estimator switch
            {
                "monte-carlo-q" => c.Sampler.CenterQ ? "MC-Q centred" : "MC-Q",
                "monte-carlo-q-baseline" => "MC-Q − baseline",
                _ => string.Create(inv, $"GAE({c.Sampler.GaeLambda:G3})"),
            } + (c.Sampler.NormalizeAdvantages ? ", standardised" : ""),
        };
        if (c.Algorithm.HypergradientTerms == "full")
        {
            parts.Add("full hypergradient");
        }

        return string.Join("; ", parts);
    }
}
