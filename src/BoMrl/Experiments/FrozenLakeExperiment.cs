using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using BoMrl.Distances;
using BoMrl.Environments.FrozenLake;
using BoMrl.IO;
using BoMrl.Numerics;
using BoMrl.Tabular;
using BoMrl.Tabular.Adaptation;
using BoMrl.Tabular.Meta;
using BoMrl.Tabular.Theory;

namespace BoMrl.Experiments;

/// <summary>
/// Configuration of the Frozen Lake verification experiment (Section 6.1, Appendix A; DESIGN §7). Defaults are
/// documented in docs/frozenlake.md; <see cref="Paper"/> gives the paper's six configurations.
/// </summary>
public sealed record FrozenLakeExperimentConfig
{
    /// <summary>Label of the task distribution: "high" (p = 0.3), "low" (p = 0.1) or "custom".</summary>
    public string Variance { get; init; } = "high";

    /// <summary>Within-task distance: kl1, kl2 or l2.</summary>
    public string Distance { get; init; } = "kl1";

    /// <summary>Grid side N (the paper does not say; gym's default map is 4×4).</summary>
    public int Size { get; init; } = 4;

    /// <summary>Hole probability p ∈ [0, 1).</summary>
    public double HoleProbability { get; init; } = FrozenLakeDistribution.HighVarianceHoleProbability;

    /// <summary>Slippery dynamics (gym's default) or deterministic moves.</summary>
    public bool Slippery { get; init; } = true;

    /// <summary>Discount γ (paper: 0.8).</summary>
    public double Gamma { get; init; } = 0.8;

    /// <summary>Training tasks (paper: 20).</summary>
    public int TrainTasks { get; init; } = 20;

    /// <summary>
    /// Held-out test tasks. 100: the TEOG is an expectation over P(Γ), and with 20 held-out tasks its sampling error
    /// (≈ 0.03) exceeds the differences the experiment compares (≈ 0.01).
    /// </summary>
    public int TestTasks { get; init; } = 100;

    /// <summary>Regularisation weight λ of Alg.</summary>
    public double Lambda { get; init; } = 0.5;

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
    /// at 0.5) or "visitation" (DESIGN §3a, eq. 2: about |S| times weaker); see <see cref="EuclideanWeighting"/>.
    /// </summary>
    public string D3Weighting { get; init; } = "per-state";

    /// <summary>"mc" (Monte-Carlo Q, as the paper) or "exact".</summary>
    public string Q { get; init; } = "mc";

    /// <summary>Monte-Carlo rollouts per state-action pair for each Q estimate.</summary>
    public int RolloutsPerPair { get; init; } = 50;

    /// <summary>Monte-Carlo rollout horizon (γ^H ≈ 1.4e-5 at H = 50, γ = 0.8).</summary>
    public int Horizon { get; init; } = 50;

    /// <summary>
    /// MAML's fast learning rate α on ∇J (its inner step is θ' = φ + α∇J). Default (1 − γ)/(2λ₃) with the paper's D3 λ₃
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

    /// <summary>The paper's λ (Appendix A): high 0.5/0.5/0.04, low 0.25/0.25/0.02 for D1/D2/D3.</summary>
    public static double PaperLambda(string variance, Distance distance) => (variance, distance) switch
    {
        ("high", Distances.Distance.Euclidean) => 0.04,
        ("high", _) => 0.5,
        ("low", Distances.Distance.Euclidean) => 0.02,
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
        MamlStepSize = Math.Round((1 - 0.8) / (2 * PaperLambda(variance, Distances.Distance.Euclidean)), 12),
    };

    /// <summary>The parsed distance.</summary>
    [JsonIgnore]
    public Distance ParsedDistance => DistanceNames.TryParse(Distance, out Distance d) ? d : throw new ArgumentException($"unknown distance '{Distance}' (kl1|kl2|l2)");

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
    }
}

/// <summary>Task-expected optimality gaps E_τ[J(π*_τ) − J(π)] on the held-out tasks (the right panel of Figures 1/3/4).</summary>
public sealed record OptimalityGaps(double NoAdaptation, double BomrlOneStep, double MamlOneStep);

/// <summary>Mean return over the test tasks after 0..K adaptation steps, per method, and the optimal policies' return.</summary>
public sealed record ReturnsByStep(double[] Bomrl, double[] Maml, double[] Random, double Optimal, double OptimalBounded,
    double[] BomrlStderr, double[] MamlStderr, double[] RandomStderr);

/// <summary>Analytic hypergradient of F at the final φ against central finite differences of F over all coordinates.</summary>
public sealed record HypergradientCheck(double MaxRelError, double GradientNorm, double Step, string Definition);

/// <summary>Everything <c>bomrl frozenlake</c> writes to summary.json.</summary>
public sealed record FrozenLakeSummary(
    string Distance,
    double Lambda,
    double Gamma,
    int Size,
    double HoleProb,
    string VariancePreset,
    bool Slippery,
    string Q,
    long Seed,
    double Epsilon,
    double AMax,
    double AMaxCenter,
    double Variance,
    bool VarianceMinimizerConverged,
    double Bound,
    double BoundWithAMax,
    double LambdaCondition,
    bool LambdaMeetsCondition,
    double BoundAtConditionLambda,
    OptimalityGaps Teog,
    ReturnsByStep ReturnsByStep,
    HypergradientCheck HypergradientCheck,
    bool BomrlReturnsNonDecreasing,
    double MamlStepSize,
    double ParameterBound,
    int Iterations,
    double MetaLearningRate,
    int TasksPerIteration,
    int RolloutsPerPair,
    int Horizon,
    long Samples,
    double[] BomrlTrainingCurve,
    double[] MamlTrainingCurve,
    string[] TrainMaps,
    string[] TestMaps,
    double[] VarianceMinimizer,
    double Seconds);

/// <summary>JSON (snake_case, indented) for the experiment records, by source generation.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(FrozenLakeSummary))]
[JsonSerializable(typeof(FrozenLakeExperimentConfig))]
public sealed partial class FrozenLakeJsonContext : JsonSerializerContext;

/// <summary>
/// The Frozen Lake verification experiment (Section 6.1): meta-train BO-MRL (Algorithm 1) and MAML on the training
/// tasks, meta-test both and a random initialisation on held-out tasks for 0..K adaptation steps, compute the
/// theory's quantities and bound, and check the hypergradient against finite differences of F.
/// </summary>
public static class FrozenLakeExperiment
{
    /// <summary>Step of the fourth-order central differences of the hypergradient check.</summary>
    public const double FiniteDifferenceStep = 1e-4;

    /// <summary>Runs the experiment; <paramref name="log"/> receives progress lines.</summary>
    public static FrozenLakeSummary Run(FrozenLakeExperimentConfig config, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var clock = Stopwatch.StartNew();
        Distance distance = config.ParsedDistance;
        var dist = new FrozenLakeDistribution(config.Size, config.HoleProbability, config.Slippery, config.Gamma);
        (TabularMdp[] train, TabularMdp[] test, FrozenLakeMap[] trainMaps, FrozenLakeMap[] testMaps) =
            dist.SampleTasks(config.TrainTasks, config.TestTasks, config.Seed);
        int ns = config.Size * config.Size;
        int n = ns * FrozenLakeDistribution.ActionCount;
        QEstimator q = config.Q == "exact" ? QEstimator.Exact : QEstimator.MonteCarlo(config.RolloutsPerPair, config.Horizon);
        var alg = new TabularAdaptation(distance, config.Lambda, weighting: config.ParsedWeighting);
        var maml = TabularAdaptation.PolicyGradientStep(config.MamlStepSize, config.Gamma);
        double lr = config.MetaLearningRate * ns;

        string tag = $"{config.Variance}/{config.Distance} λ={config.Lambda.ToString(CultureInfo.InvariantCulture)}";
        int every = Math.Max(1, config.Iterations / 5);
        log?.Invoke($"[{tag}] meta-training BO-MRL: {config.Iterations} iterations, Q {config.Q}");
        MetaTrainingResult bomrl = TabularMetaTraining.Train(train, alg, q,
            new MetaTrainingOptions(config.Iterations, lr, config.TasksPerIteration, Seeds.Derive(config.Seed, 3)),
            new double[n], (t, r) =>
            {
                if ((t + 1) % every == 0)
                {
                    log?.Invoke($"[{tag}]   BO-MRL iteration {t + 1}/{config.Iterations}: batch return after Alg {r:F4}");
                }
            });
        log?.Invoke($"[{tag}]   ({clock.Elapsed.TotalSeconds:F1} s)");
        log?.Invoke($"[{tag}] meta-training MAML (exact meta-gradient, fast learning rate {config.MamlStepSize.ToString(CultureInfo.InvariantCulture)})");
        MetaTrainingResult mamlResult = TabularMetaTraining.Train(train, maml, QEstimator.Exact,
            new MetaTrainingOptions(config.Iterations, lr, config.TasksPerIteration, Seeds.Derive(config.Seed, 4)),
            new double[n], (t, r) =>
            {
                if ((t + 1) % every == 0)
                {
                    log?.Invoke($"[{tag}]   MAML iteration {t + 1}/{config.Iterations}: batch return after one PG step {r:F4}");
                }
            });

        log?.Invoke($"[{tag}]   ({clock.Elapsed.TotalSeconds:F1} s)");
        log?.Invoke($"[{tag}] meta-test on {config.TestTasks} held-out tasks");
        int k = config.AdaptationSteps;
        double[][] bomrlCurves = MetaTest(test, bomrl.Phi, alg, q, k, config.Seed, 0);
        double[][] mamlCurves = MetaTest(test, mamlResult.Phi, maml, q, k, config.Seed, 1);
        double[][] randomCurves = MetaTest(test, new double[n], alg, q, k, config.Seed, 2);
        double[] optimal = test.Select(t => System.Numerics.Tensors.TensorPrimitives.Dot(t.InitialDistribution, ValueIteration.OptimalValues(t))).ToArray();

        log?.Invoke($"[{tag}]   ({clock.Elapsed.TotalSeconds:F1} s)");
        log?.Invoke($"[{tag}] theory: bounded optimal policies, ε, A_max, Var (minimised over φ), bound");
        double[][] thetaStar = test.Select(t => ValueIteration.BoundedOptimalLogits(t, config.ParameterBound)).ToArray();
        double[] jStar = test.Select((t, i) => PolicyEvaluation.OfLogits(t, thetaStar[i]).Return).ToArray();
        double epsilon = TabularTheory.Epsilon(test);
        double aMax = TabularTheory.AdvantageBound(test);
        TaskVariance variance = TabularTheory.Variance(distance, test, thetaStar);
        double aCenter = TabularTheory.MaxAbsAdvantage(test, variance.Center);
        double bound = TabularTheory.Bound(distance, config.Lambda, config.Gamma, aCenter, epsilon, variance.Variance);
        double boundAMax = TabularTheory.Bound(distance, config.Lambda, config.Gamma, aMax, epsilon, variance.Variance);
        double kappa = TabularTheory.LambdaCondition(distance, config.Gamma, aCenter, epsilon, alg.Weighting);
        double boundAtKappa = TabularTheory.Bound(distance, kappa, config.Gamma, aCenter, epsilon, variance.Variance); // proven at λ = κ
        var teog = new OptimalityGaps(
            Gap(jStar, bomrlCurves, 0),
            Gap(jStar, bomrlCurves, 1),
            Gap(jStar, mamlCurves, Math.Min(1, k)));

        log?.Invoke($"[{tag}]   ({clock.Elapsed.TotalSeconds:F1} s)");
        log?.Invoke($"[{tag}] hypergradient check: {n} coordinates, fourth-order central differences, h = {FiniteDifferenceStep}");
        HypergradientCheck check = CheckHypergradient(train, bomrl.Phi, alg);

        ReturnsByStep returns = new(
            Mean(bomrlCurves), Mean(mamlCurves), Mean(randomCurves), optimal.Average(), jStar.Average(),
            Stderr(bomrlCurves), Stderr(mamlCurves), Stderr(randomCurves));
        bool nonDecreasing = true;
        for (int i = 1; i < returns.Bomrl.Length; i++)
        {
            nonDecreasing &= returns.Bomrl[i] >= returns.Bomrl[i - 1];
        }

        var summary = new FrozenLakeSummary(
            config.Distance, config.Lambda, config.Gamma, config.Size, config.HoleProbability, config.Variance, config.Slippery,
            config.Q, config.Seed, epsilon, aMax, aCenter, variance.Variance, variance.Converged, bound, boundAMax, kappa,
            config.Lambda >= kappa, boundAtKappa, teog, returns, check, nonDecreasing, config.MamlStepSize, config.ParameterBound,
            config.Iterations, config.MetaLearningRate, config.TasksPerIteration, config.RolloutsPerPair, config.Horizon,
            bomrl.Samples, bomrl.PostAdaptationReturns, mamlResult.PostAdaptationReturns,
            trainMaps.Select(m => m.ToString()).ToArray(), testMaps.Select(m => m.ToString()).ToArray(), variance.Center,
            clock.Elapsed.TotalSeconds);
        log?.Invoke($"[{tag}] done in {summary.Seconds:F1} s: TEOG no-adapt {teog.NoAdaptation:F4}, BO-MRL {teog.BomrlOneStep:F4}, " +
            $"MAML {teog.MamlOneStep:F4}, bound {bound:G4}; FD check {check.MaxRelError:E2}");
        return summary;
    }

    /// <summary>
    /// Meta-test of one method: from <paramref name="phi"/>, K steps on each test task, each step a fresh Q of the
    /// current policy (stream (seed, 2, method, task, step)) and one <paramref name="alg"/>. Returns J per task per step.
    /// </summary>
    public static double[][] MetaTest(IReadOnlyList<TabularMdp> tasks, double[] phi, TabularAdaptation alg, QEstimator q,
        int steps, long seed, int method)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double[][] curves = new double[tasks.Count][];
        Parallel.For(0, tasks.Count, i =>
        {
            double[] c = new double[steps + 1];
            double[] theta = (double[])phi.Clone();
            for (int step = 0; step <= steps; step++)
            {
                Random rng = Seeds.Rng(seed, 2, method, i, step);
                PolicyEvaluation eval = q.Evaluate(tasks[i], theta, rng, out _);
                c[step] = eval.Return;
                if (step < steps)
                {
                    theta = alg.Adapt(theta, eval);
                }
            }

            curves[i] = c;
        });
        return curves;
    }

    /// <summary>
    /// Analytic ∇F(φ) (exact Q) against fourth-order central differences of F over every coordinate. The error is
    /// max_i |g_i − g_fd,i| / max(‖g_fd‖∞, 1e-12): the largest coordinate error relative to the gradient's scale.
    /// </summary>
    public static HypergradientCheck CheckHypergradient(IReadOnlyList<TabularMdp> tasks, double[] phi, TabularAdaptation alg)
    {
        double[] g = new double[phi.Length];
        TabularMetaTraining.MetaGradient(tasks, phi, alg, g);
        double[] fd = new double[phi.Length];
        double h = FiniteDifferenceStep;
        Parallel.For(0, phi.Length, i =>
        {
            double[] x = (double[])phi.Clone();
            double F(double d)
            {
                x[i] = phi[i] + d;
                return TabularMetaTraining.MetaObjective(tasks, x, alg);
            }

            fd[i] = (8 * (F(h) - F(-h)) - (F(2 * h) - F(-2 * h))) / (12 * h);
        });
        double scale = 0;
        double err = 0;
        double norm = 0;
        for (int i = 0; i < g.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(fd[i]));
            err = Math.Max(err, Math.Abs(g[i] - fd[i]));
            norm += g[i] * g[i];
        }

        return new HypergradientCheck(err / Math.Max(scale, 1e-12), Math.Sqrt(norm), h,
            "max_i |g_i - fd_i| / max(max_i |fd_i|, 1e-12), fourth-order central differences of the exact F on the training tasks");
    }

    /// <summary>Writes summary.json, config.json, the CSV curves and the two figures into <paramref name="dir"/>.</summary>
    public static void WriteOutputs(string dir, FrozenLakeExperimentConfig config, FrozenLakeSummary s)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(s);
        Directory.CreateDirectory(dir);
        AtomicFile.WriteAllText(Path.Combine(dir, "summary.json"), JsonSerializer.Serialize(s, FrozenLakeJsonContext.Default.FrozenLakeSummary) + "\n");
        AtomicFile.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(config, FrozenLakeJsonContext.Default.FrozenLakeExperimentConfig) + "\n");
        var csv = new StringBuilder("step,bomrl,bomrl_stderr,maml,maml_stderr,random,random_stderr,optimal,optimal_bounded\n");
        for (int i = 0; i < s.ReturnsByStep.Bomrl.Length; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},{s.ReturnsByStep.Bomrl[i]:R},{s.ReturnsByStep.BomrlStderr[i]:R},{s.ReturnsByStep.Maml[i]:R},{s.ReturnsByStep.MamlStderr[i]:R},{s.ReturnsByStep.Random[i]:R},{s.ReturnsByStep.RandomStderr[i]:R},{s.ReturnsByStep.Optimal:R},{s.ReturnsByStep.OptimalBounded:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(dir, "returns_by_step.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "optimality_gap.csv"), string.Create(CultureInfo.InvariantCulture,
            $"quantity,value\nno_adaptation,{s.Teog.NoAdaptation:R}\nbomrl_one_step,{s.Teog.BomrlOneStep:R}\nmaml_one_step,{s.Teog.MamlOneStep:R}\nbound,{s.Bound:R}\n"));
        var train = new StringBuilder("iteration,bomrl_post_adaptation_return,maml_post_adaptation_return\n");
        for (int i = 0; i < s.BomrlTrainingCurve.Length; i++)
        {
            train.Append(CultureInfo.InvariantCulture, $"{i},{s.BomrlTrainingCurve[i]:R},{s.MamlTrainingCurve[i]:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(dir, "training.csv"), train.ToString());
        WriteFigures(dir, s);
    }

    /// <summary>The two panels of Figures 1/3/4: returns vs adaptation steps, and TEOG bars against the bound.</summary>
    public static void WriteFigures(string dir, FrozenLakeSummary s)
    {
        ArgumentNullException.ThrowIfNull(s);
        string title = $"{Capitalise(s.VariancePreset)} task variance ({s.Distance}, λ = {s.Lambda.ToString(CultureInfo.InvariantCulture)})";
        double[] x = Enumerable.Range(0, s.ReturnsByStep.Bomrl.Length).Select(i => (double)i).ToArray();
        Plots.Lines(Path.Combine(dir, "returns_by_step.png"), title, "Number of policy adaptation steps", "Expected accumulated reward",
        [
            new Series("BO-MRL (ours)", x, s.ReturnsByStep.Bomrl, s.ReturnsByStep.BomrlStderr),
            new Series("Random initialization", x, s.ReturnsByStep.Random, s.ReturnsByStep.RandomStderr),
            new Series("MAML", x, s.ReturnsByStep.Maml, s.ReturnsByStep.MamlStderr),
            new Series("Optimal task-specific policies", x, x.Select(_ => s.ReturnsByStep.Optimal).ToArray()),
        ]);
        Plots.Bars(Path.Combine(dir, "optimality_gap.png"), title, "Expected optimality gap",
        [
            new Bar("No adaptation", s.Teog.NoAdaptation),
            new Bar("One-time Alg", s.Teog.BomrlOneStep),
            new Bar("One PG step (MAML)", s.Teog.MamlOneStep),
        ], s.Bound, $"Upper bound for one-time Alg ({s.Bound:G3})");
    }

    private static string Capitalise(string v) => v.Length == 0 ? v : char.ToUpperInvariant(v[0]) + v[1..];

    private static double Gap(double[] jStar, double[][] curves, int step)
    {
        double sum = 0;
        for (int i = 0; i < jStar.Length; i++)
        {
            sum += jStar[i] - curves[i][step];
        }

        return sum / jStar.Length;
    }

    private static double[] Mean(double[][] curves) =>
        Enumerable.Range(0, curves[0].Length).Select(j => curves.Average(c => c[j])).ToArray();

    private static double[] Stderr(double[][] curves) =>
        Enumerable.Range(0, curves[0].Length).Select(j =>
        {
            double m = curves.Average(c => c[j]);
            double v = curves.Sum(c => (c[j] - m) * (c[j] - m)) / Math.Max(1, curves.Length - 1);
            return Math.Sqrt(v / curves.Length);
        }).ToArray();
}
