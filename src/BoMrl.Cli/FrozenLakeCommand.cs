using System.CommandLine;
using System.Globalization;
using BoMrl.Configuration;
using BoMrl.DistanceKinds;
using BoMrl.Numerics;
using BoMrl.Runs;
using BoMrl.Studies;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl frozenlake</c>: one Frozen Lake verification run (Section 6.1): meta-training, meta-test, theory
/// quantities and bound, hypergradient check; writes summary.json, CSVs and the two figures into --out.
/// </summary>
internal static class FrozenLakeCommand
{
    public static Command Create(CliContext ctx)
    {
        var variance = new Option<string>("--variance") { Description = "Task distribution preset: high (hole probability 0.3) or low (0.1); also selects the paper's λ.", Required = true };
        var distance = new Option<string>("--distance") { Description = "Within-task distance: kl1 (D1, forward KL), kl2 (D2, reverse KL) or l2 (D3, Euclidean on parameters).", Required = true };
        var size = new Option<int>("--size") { Description = "Grid side N ≥ 2.", DefaultValueFactory = _ => 4 };
        var holeProb = new Option<double?>("--hole-prob") { Description = "Hole probability p in [0, 1) (default: the preset's 0.3 or 0.1)." };
        var slippery = new Option<bool>("--slippery") { Description = "Slippery dynamics (intended move 1/3, each perpendicular 1/3) or deterministic.", DefaultValueFactory = _ => true };
        var trainTasks = new Option<int>("--train-tasks") { Description = "Number of training tasks.", DefaultValueFactory = _ => 20 };
        var testTasks = new Option<int>("--test-tasks") { Description = "Number of held-out test tasks.", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().TestTasks };
        var lambda = new Option<double?>("--lambda") { Description = "Regularisation weight λ > 0 (default: the paper's, 0.5/0.5/0.04 high, 0.25/0.25/0.02 low)." };
        var iterations = new Option<int>("--iterations") { Description = "Meta-iterations T of Algorithm 1 (BO-MRL and MAML).", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().Iterations };
        var q = new Option<string>("--q") { Description = "Q estimation: mc (Monte-Carlo rollouts, as the paper) or exact.", DefaultValueFactory = _ => "mc" };
        var rollouts = new Option<int>("--rollouts") { Description = "Monte-Carlo rollouts per state-action pair per Q estimate.", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().RolloutsPerPair };
        var mamlStep = new Option<double?>("--maml-step") { Description = "MAML's fast learning rate α (inner step φ + α∇J); default (1 − γ)/(2λ₃) with the paper's D3 λ₃: 2.5 high, 5 low." };
        var metaLr = new Option<double>("--meta-lr") { Description = "Meta learning rate per state α (the SGD step is α·|S|·hypergradient).", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().MetaLearningRate };
        var batch = new Option<int>("--tasks-per-iteration") { Description = "Tasks sampled per meta-iteration.", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().TasksPerIteration };
        var weighting = new Option<string>("--d3-weighting") { Description = "D3 state weighting: visitation (ν-weighted return, docs/design.md §3a) or per-state (eq. 1).", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().D3Weighting };
        var lambdaLearning = new Option<string>("--lambda-learning") { Description = "BO-MRL's λ: fixed, or meta (λ = exp(ℓ) meta-learned with φ, from --lambda).", DefaultValueFactory = _ => "fixed" };
        var lambdaLr = new Option<double>("--lambda-lr") { Description = "Step size of ℓ = log λ with --lambda-learning meta.", DefaultValueFactory = _ => new FrozenLakeExperimentConfig().LambdaLr };
        var seed = new Option<long>("--seed") { Description = "Root seed (maps, task sampling, Monte-Carlo).", DefaultValueFactory = _ => 1 };
        var threads = ThreadsOption();
        var output = new Option<string>("--out") { Description = "Run folder for summary.json, CSVs and PNG figures.", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite a finished run or another kind of folder at --out." };
        var cmd = new Command("frozenlake", "Frozen Lake verification of BO-MRL's bounds (paper Section 6.1, Figures 1, 3, 4).")
        {
            variance, distance, size, holeProb, slippery, trainTasks, testTasks, lambda, iterations, q, rollouts, mamlStep, metaLr, batch, weighting, lambdaLearning, lambdaLr, seed, threads, output, force,
        };
        cmd.SetAction(parse =>
        {
            string v = parse.GetValue(variance)!;
            Distance d = ParseDistance(parse.GetValue(distance));
            FrozenLakeExperimentConfig config = Build(v, d, parse.GetValue(size), parse.GetValue(holeProb), parse.GetValue(lambda)) with
            {
                Slippery = parse.GetValue(slippery),
                TrainTasks = Positive(parse.GetValue(trainTasks), "--train-tasks"),
                TestTasks = Positive(parse.GetValue(testTasks), "--test-tasks"),
                Iterations = NonNegative(parse.GetValue(iterations), "--iterations"),
                Q = ParseQ(parse.GetValue(q)),
                RolloutsPerPair = Positive(parse.GetValue(rollouts), "--rollouts"),
                MetaLearningRate = PositiveFinite(parse.GetValue(metaLr), "--meta-lr"),
                TasksPerIteration = Positive(parse.GetValue(batch), "--tasks-per-iteration"),
                D3Weighting = parse.GetValue(weighting)!,
                LambdaLearning = parse.GetValue(lambdaLearning)!,
                LambdaLr = PositiveFinite(parse.GetValue(lambdaLr), "--lambda-lr"),
                Seed = parse.GetValue(seed),
                Threads = Threads(parse.GetValue(threads)),
            };
            if (parse.GetValue(mamlStep) is double alpha)
            {
                config = config with { MamlStepSize = PositiveFinite(alpha, "--maml-step") };
            }

            CheckOptions(config);
            using RunClaim claim = Claim(parse.GetValue(output)!, RunKinds.FrozenLake, parse.GetValue(force));
            FrozenLakeSummary s = RunOne(ctx, config);
            FrozenLakeExperiment.WriteOutputs(claim.Path, config, s);
            claim.Finish();
            ctx.Out.WriteLine($"wrote {Path.Combine(claim.Path, "summary.json")}");
            return 0;
        });
        return cmd;
    }

    /// <summary>
    /// Validates a configuration before any folder is touched: bad settings and sizes the machine cannot hold
    /// (<see cref="ResourceLimits.CheckTabular"/>) become one-line usage errors.
    /// </summary>
    internal static void CheckOptions(FrozenLakeExperimentConfig config)
    {
        try
        {
            config.Validate();
            ResourceLimits.CheckTabular(config.Size, 4, config.TrainTasks + config.TestTasks, ThreadCount.Resolve(config.Threads), ResourceLimits.AvailableBytes);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message.Split('\n')[0]);
        }
    }

    /// <summary>Runs one configuration (checked by <see cref="CheckOptions"/>); a failure names the configuration.</summary>
    internal static FrozenLakeSummary RunOne(CliContext ctx, FrozenLakeExperimentConfig config)
    {
        CheckOptions(config);
        try
        {
            return FrozenLakeExperiment.Run(config, line => ctx.Out.WriteLine(line));
        }
        catch (Exception e) when (e is not OperationCanceledException and not UsageException)
        {
            throw new FrozenLakeFailedException($"frozenlake {config.Variance}/{config.Distance} failed: " +
                ErrorPolicy.Describe(TrainingFailedException.Unwrap(e)), e);
        }
    }

    /// <summary>The paper configuration for a preset and distance, with optional size, p and λ overrides (validated).</summary>
    internal static FrozenLakeExperimentConfig Build(string variance, Distance distance, int size, double? holeProb, double? lambda)
    {
        if (variance is not ("high" or "low"))
        {
            throw new UsageException($"--variance must be high or low, got '{variance}'");
        }

        if (size < 2)
        {
            throw new UsageException($"--size must be at least 2, got {size}");
        }

        if (holeProb is double p && (!double.IsFinite(p) || p < 0 || p >= 1))
        {
            throw new UsageException($"--hole-prob must be in [0, 1), got {p.ToString(CultureInfo.InvariantCulture)}");
        }

        if (lambda is double l && (!double.IsFinite(l) || l <= 0))
        {
            throw new UsageException($"--lambda must be positive and finite, got {l.ToString(CultureInfo.InvariantCulture)}");
        }

        FrozenLakeExperimentConfig c = FrozenLakeExperimentConfig.Paper(variance, distance) with { Size = size };
        if (holeProb is double hp)
        {
            c = c with { HoleProbability = hp };
        }

        return lambda is double lam ? c with { Lambda = lam } : c;
    }

    /// <summary>The --threads option of the Frozen Lake verbs (0 = every core; results do not depend on it).</summary>
    internal static Option<int> ThreadsOption() =>
        new("--threads") { Description = "Worker threads for the per-task loops, 0 = all cores; results do not depend on it.", DefaultValueFactory = _ => 0 };

    internal static int Threads(int t) => t >= 0 ? t : throw new UsageException($"--threads must be 0 (all cores) or positive (got {t})");

    internal static Distance ParseDistance(string? text) =>
        DistanceNames.TryParse(text, out Distance d) ? d : throw new UsageException($"--distance must be kl1, kl2 or l2 (or the paper's d1, d2, d3), got '{text}'");

    internal static string ParseQ(string? text) =>
        text is "mc" or "exact" ? text : throw new UsageException($"--q must be mc or exact, got '{text}'");

    /// <summary>
    /// Takes the run folder <paramref name="dir"/> for a <paramref name="kind"/> run (lock, kind check, run.json; see
    /// <see cref="RunClaim"/>); an unwritable folder is a one-line usage error.
    /// </summary>
    internal static RunClaim Claim(string dir, string kind, bool force)
    {
        try
        {
            return RunClaim.Take(dir, kind, resume: false, force);
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) and not BoMrl.IO.FolderNotWritableException)
        {
            throw new UsageException($"cannot write to --out '{dir}': {(e is ArgumentException ? RunSupport.OneLine(e.Message) : BoMrl.IO.FileSystemErrors.Describe(e))}");
        }
    }

    private static int Positive(int v, string name) => v > 0 ? v : throw new UsageException($"{name} must be positive, got {v}");

    private static int NonNegative(int v, string name) => v >= 0 ? v : throw new UsageException($"{name} must not be negative, got {v}");

    private static double PositiveFinite(double v, string name) =>
        double.IsFinite(v) && v > 0 ? v : throw new UsageException($"{name} must be positive and finite, got {v.ToString(CultureInfo.InvariantCulture)}");
}

/// <summary>A Frozen Lake run failed (exit 1); the message names the configuration and the failure.</summary>
internal sealed class FrozenLakeFailedException(string message, Exception failure) : Exception(message, failure);
