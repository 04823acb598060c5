using BoMrl.Adaptation;
using BoMrl.Environments;
using BoMrl.Meta;
using BoMrl.Policies;

namespace BoMrl.Experiments;

/// <summary>
/// The one place where a resolved <see cref="TrainConfig"/> becomes an <see cref="IMetaLearner"/>: the task family,
/// the Gaussian MLP policy, the shared setup, and the learner registered under <c>algorithm.name</c>. A new learner is
/// registered by one line in <see cref="Registry"/> (its settings, if new, are keys of <see cref="AlgorithmConfig"/>).
/// </summary>
public static class MetaLearners
{
    /// <summary>Builds a learner from the shared setup, the algorithm section and the meta-update settings.</summary>
    private delegate IMetaLearner Factory(MetaTrainingSetup setup, AlgorithmConfig a, MetaUpdateConfig m, MetaUpdateOptions metaUpdate);

    /// <summary>Every learner a config can name, in the order error messages list them.</summary>
    private static readonly (string Name, Factory Create)[] Registry =
    [
        ("bomrl", (setup, a, m, metaUpdate) => new BoMrlLearner(setup, new BoMrlOptions(
            new AdaptationOptions(a.ParseDistance(), ParseSurrogate(a.Surrogate), a.Lambda, a.InnerIterations, a.InnerLr,
                a.InnerGradTol, a.InnerLbfgsIterations, a.InnerNewtonIterations),
            new HypergradientOptions(a.HypergradientCgIterations, a.HypergradientDamping, CurvatureSubsample: a.HypergradientSubsample),
            metaUpdate, m.FisherSubsample, a.ParseWeighting(), a.LambdaLearning == "meta", a.LambdaLr, a.HypergradientTerms == "full"))),
        ("maml-trpo", (setup, a, _, metaUpdate) => new MamlTrpoLearner(setup, MamlOptions(a, metaUpdate))),
        ("emaml", (setup, a, _, metaUpdate) => new EMamlLearner(setup, new EMamlOptions(MamlOptions(a, metaUpdate), a.ExplorationWeight))),
        ("promp", (setup, a, _, metaUpdate) => new ProMpLearner(setup, new ProMpOptions(a.FastLr, a.NumSteps, a.ClipEps, a.InnerKlCoeff,
            a.AdaptiveInnerKl, a.TargetInnerKl, a.NumPpoSteps, metaUpdate, a.ParseWeighting()))),
    ];

    /// <summary>The algorithm names configs may use.</summary>
    public static IReadOnlyList<string> Names { get; } = Registry.Select(r => r.Name).ToArray();

    /// <summary>Builds the learner of <paramref name="config"/> with root seed <paramref name="seed"/>.</summary>
    public static IMetaLearner Create(TrainConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        TrainConfig c = config.Resolve();
        MetaTrainingSetup setup = CreateSetup(c, seed);
        MetaUpdateOptions metaUpdate = MetaUpdate(c.MetaUpdate);
        AlgorithmConfig a = c.Algorithm;
        foreach ((string name, Factory create) in Registry)
        {
            if (name == a.Name)
            {
                return create(setup, a, c.MetaUpdate, metaUpdate);
            }
        }

        throw new ConfigException($"config key 'algorithm.name' must be one of {string.Join(", ", Names)} (got '{a.Name}')");
    }

    /// <summary>
    /// The task family, policy, batch sizes, advantages, threads and seed of <paramref name="config"/> (what every learner
    /// shares; a cluster worker rebuilds it from the same config to collect and adapt a task).
    /// </summary>
    public static MetaTrainingSetup CreateSetup(TrainConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        TrainConfig c = config.Resolve();
        ITaskDistribution tasks = c.Env.CreateTasks(c.Sampler.Horizon);
        return new MetaTrainingSetup(tasks, CreatePolicy(c, tasks), c.Sampler.MetaBatchSize, c.Sampler.EpisodesPerTask,
            c.Sampler.ToAdvantageOptions(), c.Sampler.Threads, seed);
    }

    /// <summary>The Gaussian MLP policy of <paramref name="config"/> (its task family gives the observation and action sizes).</summary>
    public static GaussianMlpPolicy CreatePolicy(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        TrainConfig c = config.Resolve();
        ITaskDistribution tasks = c.Env.CreateTasks(c.Sampler.Horizon);
        return CreatePolicy(c, tasks);
    }

    private static GaussianMlpPolicy CreatePolicy(TrainConfig c, ITaskDistribution tasks) =>
        new(tasks.ObservationSize, tasks.ActionSize, c.Policy.HiddenSizes,
            c.Policy.LogStd == "mlp" ? LogStdMode.Mlp : LogStdMode.Parameter, c.Policy.InitLogStd);

    private static MamlTrpoOptions MamlOptions(AlgorithmConfig a, MetaUpdateOptions metaUpdate) =>
        new(a.FastLr, a.NumSteps, a.FirstOrder, metaUpdate, a.ParseWeighting());

    private static SurrogateKind ParseSurrogate(string text) => SurrogateNames.TryParse(text, out SurrogateKind s) ? s
        : throw new ConfigException($"config key 'algorithm.surrogate' must be one of h-clipped, ratio, first-order (got '{text}')");

    private static MetaUpdateOptions MetaUpdate(MetaUpdateConfig m)
    {
        if (!MetaUpdateOptions.TryParseMethod(m.Method, out MetaUpdateMethod method))
        {
            throw new ConfigException($"config key 'meta_update.method' must be one of trpo, sgd, adam (got '{m.Method}')");
        }

        return new MetaUpdateOptions(method,
            new TrpoOptions(m.MaxKl, m.CgIterations, m.CgDamping, m.LsMaxSteps, m.LsBacktrackRatio), m.Lr);
    }
}
