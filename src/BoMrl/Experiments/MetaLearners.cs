using BoMrl.Adaptation;
using BoMrl.Environments;
using BoMrl.Meta;
using BoMrl.Policies;

namespace BoMrl.Experiments;

/// <summary>
/// The one place where a resolved <see cref="TrainConfig"/> becomes an <see cref="IMetaLearner"/>: the task family,
/// the Gaussian MLP policy, the shared setup, and BO-MRL (Algorithm 2) or MAML-TRPO with their option records.
/// </summary>
public static class MetaLearners
{
    /// <summary>Builds the learner of <paramref name="config"/> with root seed <paramref name="seed"/>.</summary>
    public static IMetaLearner Create(TrainConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        TrainConfig c = config.Resolve();
        ITaskDistribution tasks = c.Env.CreateTasks(c.Sampler.Horizon);
        var policy = new GaussianMlpPolicy(tasks.ObservationSize, tasks.ActionSize, c.Policy.HiddenSizes,
            c.Policy.LogStd == "mlp" ? LogStdMode.Mlp : LogStdMode.Parameter, c.Policy.InitLogStd);
        var setup = new MetaTrainingSetup(tasks, policy, c.Sampler.MetaBatchSize, c.Sampler.EpisodesPerTask,
            c.Sampler.ToAdvantageOptions(), c.Sampler.Threads, seed);
        MetaUpdateOptions metaUpdate = MetaUpdate(c.MetaUpdate);
        AlgorithmConfig a = c.Algorithm;
        return a.Name switch
        {
            "bomrl" => new BoMrlLearner(setup, new BoMrlOptions(
                new AdaptationOptions(a.ParseDistance(), ParseSurrogate(a.Surrogate), a.Lambda, a.InnerIterations, a.InnerLr),
                new HypergradientOptions(a.HypergradientCgIterations, a.HypergradientDamping, CurvatureSubsample: a.HypergradientSubsample),
                metaUpdate, c.MetaUpdate.FisherSubsample)),
            "maml-trpo" => new MamlTrpoLearner(setup, new MamlTrpoOptions(a.FastLr, a.NumSteps, a.FirstOrder, metaUpdate)),
            _ => throw new ConfigException($"config key 'algorithm.name' must be one of {string.Join(", ", AlgorithmConfig.Names)} (got '{a.Name}')"),
        };
    }

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
