using BoMrl.Environments;
using BoMrl.Meta;
using BoMrl.Policies;

namespace BoMrl.Configuration;

/// <summary>
/// The one place where a resolved <see cref="TrainConfig"/> becomes an <see cref="IMetaLearner"/>: the task family,
/// the Gaussian MLP policy, the shared setup, and the learner registered under <c>algorithm.name</c>. A new learner is
/// one more <see cref="LearnerSection"/> in <see cref="LearnerSections.All"/> (its keys, defaults, checks and factory;
/// new keys also go into <see cref="AlgorithmConfig"/>, the flat JSON object every config's <c>algorithm</c> reads into).
/// </summary>
public static class MetaLearners
{
    /// <summary>The algorithm names configs may use.</summary>
    public static IReadOnlyList<string> Names { get; } = LearnerSections.All.Select(r => r.Name).ToArray();

    /// <summary>The config section of the learner called <paramref name="name"/>.</summary>
    internal static LearnerSection Section(string name) => LearnerSections.All.FirstOrDefault(s => s.Name == name)
        ?? throw new ConfigException($"config key 'algorithm.name' must be one of {string.Join(", ", Names)} (got '{name}')");

    /// <summary>What a study table says of a config's settings: the meta-update step and the learner's own (λ, estimator, α).</summary>
    public static string DescribeSettings(TrainConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Section(config.Algorithm.Name!).Describe(config);
    }

    /// <summary>Builds the learner of <paramref name="config"/> with root seed <paramref name="seed"/>.</summary>
    public static IMetaLearner Create(TrainConfig config, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        TrainConfig c = config.Resolve();
        MetaTrainingSetup setup = CreateSetup(c, seed);
        MetaUpdateOptions metaUpdate = MetaUpdate(c.MetaUpdate);
        return Section(c.Algorithm.Name!).Create(setup, c.Algorithm, c.MetaUpdate, metaUpdate);
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
