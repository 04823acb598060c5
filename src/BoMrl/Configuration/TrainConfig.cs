// Over 300 lines on purpose: the whole train-config schema (one record per JSON section, with its checks) in one place.

using BoMrl.DistanceKinds;
using BoMrl.Environments;
using BoMrl.Sampling;

namespace BoMrl.Configuration;

/// <summary>
/// The full configuration of one training run (configs/*.json, snake_case keys). Every key is optional except
/// <c>env.name</c> and <c>algorithm.name</c>; defaults are pytorch-maml-rl's 2D-navigation settings where it has
/// one (docs/experiments.md). Load with <see cref="ConfigLoader"/>; <see cref="Resolve"/> fills what depends on the
/// environment and validates, so the resolved config written to a run folder is complete.
/// </summary>
public sealed record TrainConfig
{
    /// <summary>Task family.</summary>
    public EnvConfig Env { get; init; } = new();

    /// <summary>Policy architecture.</summary>
    public PolicyConfig Policy { get; init; } = new();

    /// <summary>Sampling and advantage estimation.</summary>
    public SamplerConfig Sampler { get; init; } = new();

    /// <summary>Meta-learning algorithm and its within-task algorithm.</summary>
    public AlgorithmConfig Algorithm { get; init; } = new();

    /// <summary>Outer (meta-parameter) update.</summary>
    public MetaUpdateConfig MetaUpdate { get; init; } = new();

    /// <summary>Meta-test defaults of <c>bomrl test</c>.</summary>
    public TestConfig Test { get; init; } = new();

    /// <summary>Meta-iterations to train.</summary>
    public int Iterations { get; init; } = 100;

    /// <summary>Root seed of every random stream of the run.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Keep checkpoints/iteration-NNNN.json every this many meta-iterations besides latest.json (0: latest only).</summary>
    public int CheckpointEvery { get; init; } = 50;

    /// <summary>
    /// Validates every setting and fills <c>sampler.horizon</c> from the task family when absent. Throws
    /// <see cref="ConfigException"/> naming the first offending key, or the estimate and the limit when the batches of
    /// one meta-iteration would not fit in memory (<see cref="ResourceLimits.CheckTrain"/>).
    /// </summary>
    public TrainConfig Resolve()
    {
        ConfigCheck.Section(Env, "env");
        ConfigCheck.Section(Policy, "policy");
        ConfigCheck.Section(Sampler, "sampler");
        ConfigCheck.Section(Algorithm, "algorithm");
        ConfigCheck.Section(MetaUpdate, "meta_update");
        ConfigCheck.Section(Test, "test");
        ConfigCheck.NonNegative(Iterations, "iterations");
        ConfigCheck.NonNegative(CheckpointEvery, "checkpoint_every");
        Policy.Validate();
        Sampler.Validate();
        Algorithm.Validate();
        MetaUpdate.Validate();
        LearnerSection learner = MetaLearners.Section(Algorithm.Name!);
        if (!learner.MetaUpdateMethods.Contains(MetaUpdate.Method))
        {
            throw new ConfigException($"config key 'meta_update.method' must be {string.Join(" or ", learner.MetaUpdateMethods)} for algorithm {learner.Name} (got '{MetaUpdate.Method}')");
        }

        Test.Validate();
        LearnerSections.CheckForeignKeys(this, learner);
        EnvConfig env = Env.WithAssemblyFrom(Directory.GetCurrentDirectory());
        ITaskDistribution tasks = env.CreateTasks(Sampler.Horizon);
        var resolved = this with
        {
            Env = env,
            Sampler = Sampler with { Horizon = tasks.Horizon },
            Algorithm = Algorithm with { Distance = Algorithm.ParseDistance().ToName(), Weighting = Algorithm.ResolvedWeighting() },
        };
        ResourceLimits.CheckTrain(resolved, tasks.ObservationSize, tasks.ActionSize, ResourceLimits.AvailableBytes);
        return resolved;
    }
}

/// <summary>Config section <c>env</c>: which task family (see <see cref="TaskDistributions"/>).</summary>
public sealed record EnvConfig
{
    /// <summary>Benchmark name (navigation2d, ...). Required.</summary>
    public string? Name { get; init; }

    /// <summary>Published variant of the family (navigation2d: pytorch-maml-rl or maml).</summary>
    public string Variant { get; init; } = "pytorch-maml-rl";

    /// <summary>
    /// Path of a .NET assembly that defines the family (<see cref="ITaskFamily"/>, registered on use); relative to the
    /// config file's folder, stored absolute in the run's config.json. Absent for the built-in families.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Assembly { get; init; }

    /// <summary>This section with <see cref="Assembly"/> made absolute against <paramref name="baseDirectory"/>.</summary>
    internal EnvConfig WithAssemblyFrom(string baseDirectory) =>
        string.IsNullOrEmpty(Assembly) ? this : this with { Assembly = Path.GetFullPath(Assembly, baseDirectory) };

    /// <summary>Creates the task family; unknown names or variants become a <see cref="ConfigException"/>.</summary>
    public ITaskDistribution CreateTasks(int? horizon)
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw new ConfigException("missing config key 'env.name'");
        }

        ConfigCheck.NotNull(Variant, "env.variant");
        try
        {
            if (Assembly is not null)
            {
                TaskDistributions.RegisterFrom(Assembly);
            }

            return TaskDistributions.Create(Name, Variant, horizon);
        }
        catch (ArgumentException e) when (e.ParamName is "name" or "variant" or "assembly")
        {
            throw new ConfigException($"config key 'env.{e.ParamName}': {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        // ArgumentException appends " (Parameter 'x')"; keep the one-line reason only.
        int i = message.IndexOf(" (Parameter", StringComparison.Ordinal);
        return i < 0 ? message : message[..i];
    }
}

/// <summary>Config section <c>policy</c>: Gaussian MLP policy (pytorch-maml-rl: 2×64 tanh, σ₀ = 1).</summary>
public sealed record PolicyConfig
{
    /// <summary>Hidden layer widths.</summary>
    public int[] HiddenSizes { get; init; } = [64, 64];

    /// <summary>Hidden nonlinearity: tanh.</summary>
    public string Nonlinearity { get; init; } = "tanh";

    /// <summary>How log σ is parameterised: "parameter" (state-independent vector) or "mlp" (a head of the network).</summary>
    public string LogStd { get; init; } = "parameter";

    /// <summary>Initial log σ (0: σ = 1 as pytorch-maml-rl's init_std).</summary>
    public double InitLogStd { get; init; }

    internal void Validate()
    {
        ConfigCheck.NotNull(HiddenSizes, "policy.hidden_sizes");
        for (int i = 0; i < HiddenSizes.Length; i++)
        {
            ConfigCheck.Positive(HiddenSizes[i], $"policy.hidden_sizes[{i}]");
        }

        ConfigCheck.OneOf(Nonlinearity, "policy.nonlinearity", "tanh");
        ConfigCheck.OneOf(LogStd, "policy.log_std", "parameter", "mlp");
        ConfigCheck.Finite(InitLogStd, "policy.init_log_std");
    }
}

/// <summary>Config section <c>sampler</c>: batch sizes and advantage estimation (pytorch-maml-rl 2d-navigation.yaml).</summary>
public sealed record SamplerConfig
{
    /// <summary>Tasks per meta-iteration (N).</summary>
    public int MetaBatchSize { get; init; } = 20;

    /// <summary>Episodes per task per adaptation step (pytorch-maml-rl's fast-batch-size).</summary>
    public int EpisodesPerTask { get; init; } = 20;

    /// <summary>Episode cap; absent = the task family's (navigation2d: 100).</summary>
    public int? Horizon { get; init; }

    /// <summary>Sampler threads; 0 = all cores. Results do not depend on it.</summary>
    public int Threads { get; init; }

    /// <summary>Discount γ.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE λ.</summary>
    public double GaeLambda { get; init; } = 1.0;

    /// <summary>Standardise advantages per batch.</summary>
    public bool NormalizeAdvantages { get; init; } = true;

    /// <summary>Initial ridge coefficient of the linear feature baseline.</summary>
    public double BaselineReg { get; init; } = 1e-5;

    /// <summary>
    /// Advantage estimator: "gae" (GAE(γ, gae_lambda) against the linear baseline), "monte-carlo-q" (the discounted
    /// return-to-go Q̂ of each step, no baseline: the paper's Monte-Carlo Q in eq. (7)) or "monte-carlo-q-baseline"
    /// (Q̂ minus the linear feature baseline, in return units; needs normalize_advantages false and center_q false).
    /// </summary>
    public string Estimator { get; init; } = "gae";

    /// <summary>monte-carlo-q only: subtract Q̂'s batch mean (over the valid steps).</summary>
    public bool CenterQ { get; init; }

    /// <summary>The advantage settings as the sampler's <see cref="AdvantageOptions"/>.</summary>
    public AdvantageOptions ToAdvantageOptions() => new(Gamma, GaeLambda, NormalizeAdvantages, BaselineReg, ParseEstimator(Estimator), CenterQ);

    /// <summary>The config name of an estimator: gae, monte-carlo-q or monte-carlo-q-baseline (anything else: gae, after <see cref="Validate"/> refused it).</summary>
    public static AdvantageEstimator ParseEstimator(string name) => name switch
    {
        "monte-carlo-q" => AdvantageEstimator.MonteCarloQ,
        "monte-carlo-q-baseline" => AdvantageEstimator.MonteCarloQBaseline,
        _ => AdvantageEstimator.Gae,
    };

    /// <summary>The config name of <paramref name="estimator"/> (inverse of <see cref="ParseEstimator"/>).</summary>
    public static string EstimatorName(AdvantageEstimator estimator) => estimator switch
    {
        AdvantageEstimator.MonteCarloQ => "monte-carlo-q",
        AdvantageEstimator.MonteCarloQBaseline => "monte-carlo-q-baseline",
        _ => "gae",
    };

    internal void Validate()
    {
        ConfigCheck.Positive(MetaBatchSize, "sampler.meta_batch_size");
        ConfigCheck.Positive(EpisodesPerTask, "sampler.episodes_per_task");
        if (Horizon is int h)
        {
            ConfigCheck.Positive(h, "sampler.horizon");
        }

        ConfigCheck.NonNegative(Threads, "sampler.threads");
        ConfigCheck.InRange(Gamma, "sampler.gamma", 0, 1, lowOpen: true);
        ConfigCheck.InRange(GaeLambda, "sampler.gae_lambda", 0, 1);
        ConfigCheck.Positive(BaselineReg, "sampler.baseline_reg");
        ConfigCheck.OneOf(Estimator, "sampler.estimator", "gae", "monte-carlo-q", "monte-carlo-q-baseline");
        if (Estimator == "monte-carlo-q-baseline" && (NormalizeAdvantages || CenterQ))
        {
            // Refused rather than ignored: standardised, Q̂ − V is standardised GAE(1) ("gae" says so); centring is a no-op
            // (the baseline's constant feature already centres the residual).
            string key = NormalizeAdvantages ? "normalize_advantages" : "center_q";
            throw new ConfigException($"config key 'sampler.{key}' must be false with estimator monte-carlo-q-baseline (its weights are Q̂ minus the baseline, in return units)");
        }
    }
}

/// <summary>Config section <c>meta_update</c>: TRPO (δ, CG, backtracking line search) or a plain SGD/Adam step.</summary>
public sealed record MetaUpdateConfig
{
    /// <summary>trpo, sgd or adam.</summary>
    public string Method { get; init; } = "trpo";

    /// <summary>TRPO trust region δ (mean KL).</summary>
    public double MaxKl { get; init; } = 0.01;

    /// <summary>CG iterations of the natural-gradient solve.</summary>
    public int CgIterations { get; init; } = 10;

    /// <summary>Damping of the Fisher-vector product.</summary>
    public double CgDamping { get; init; } = 1e-5;

    /// <summary>Line-search steps at most.</summary>
    public int LsMaxSteps { get; init; } = 15;

    /// <summary>Line-search backtracking ratio.</summary>
    public double LsBacktrackRatio { get; init; } = 0.8;

    /// <summary>Step size of sgd/adam.</summary>
    public double Lr { get; init; } = 0.01;

    /// <summary>BO-MRL: TRPO's Fisher-vector products use every k-th pre-adaptation step (1 = all); the gradient uses all.</summary>
    public int FisherSubsample { get; init; } = 1;

    internal void Validate()
    {
        ConfigCheck.OneOf(Method, "meta_update.method", "trpo", "sgd", "adam");
        ConfigCheck.Positive(MaxKl, "meta_update.max_kl");
        ConfigCheck.Positive(CgIterations, "meta_update.cg_iterations");
        ConfigCheck.NonNegative(CgDamping, "meta_update.cg_damping");
        ConfigCheck.Positive(LsMaxSteps, "meta_update.ls_max_steps");
        ConfigCheck.InRange(LsBacktrackRatio, "meta_update.ls_backtrack_ratio", 0, 1, lowOpen: true, highOpen: true);
        ConfigCheck.Positive(Lr, "meta_update.lr");
        ConfigCheck.Positive(FisherSubsample, "meta_update.fisher_subsample");
    }
}

/// <summary>Config section <c>test</c>: defaults of <c>bomrl test</c> (K adaptation steps on M fresh tasks).</summary>
public sealed record TestConfig
{
    /// <summary>Adaptation steps K.</summary>
    public int Steps { get; init; } = 3;

    /// <summary>Test tasks M.</summary>
    public int Tasks { get; init; } = 40;

    internal void Validate()
    {
        ConfigCheck.Positive(Steps, "test.steps");
        ConfigCheck.Positive(Tasks, "test.tasks");
    }
}

/// <summary>An invalid or unknown configuration key; the message is one line naming the key.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>Validation helpers that name the offending key.</summary>
internal static class ConfigCheck
{
    public static void Section(object? section, string key)
    {
        if (section is null)
        {
            throw new ConfigException($"config key '{key}' must be an object, not null");
        }
    }

    public static void NotNull(object? value, string key)
    {
        if (value is null)
        {
            throw new ConfigException($"config key '{key}' must not be null");
        }
    }

    public static void Positive(int value, string key)
    {
        if (value <= 0)
        {
            throw new ConfigException($"config key '{key}' must be a positive integer (got {value})");
        }
    }

    public static void NonNegative(int value, string key)
    {
        if (value < 0)
        {
            throw new ConfigException($"config key '{key}' must be zero or positive (got {value})");
        }
    }

    public static void Finite(double value, string key)
    {
        if (!double.IsFinite(value))
        {
            throw new ConfigException($"config key '{key}' must be a finite number (got {value})");
        }
    }

    public static void Positive(double value, string key)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ConfigException($"config key '{key}' must be a positive finite number (got {value})");
        }
    }

    public static void NonNegative(double value, string key)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            throw new ConfigException($"config key '{key}' must be a finite number ≥ 0 (got {value})");
        }
    }

    public static void InRange(double value, string key, double low, double high, bool lowOpen = false, bool highOpen = false)
    {
        bool ok = double.IsFinite(value)
            && (lowOpen ? value > low : value >= low)
            && (highOpen ? value < high : value <= high);
        if (!ok)
        {
            throw new ConfigException(
                $"config key '{key}' must lie in {(lowOpen ? '(' : '[')}{low}, {high}{(highOpen ? ')' : ']')} (got {value})");
        }
    }

    public static void OneOf(string? value, string key, params string[] allowed)
    {
        if (value is null || Array.IndexOf(allowed, value) < 0)
        {
            throw new ConfigException($"config key '{key}' must be one of {string.Join(", ", allowed)} (got '{value}')");
        }
    }
}
