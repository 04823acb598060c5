using System.Diagnostics;
using System.Globalization;
using BoMrl.DistanceKinds;
using BoMrl.Environments.FrozenLake;
using BoMrl.Numerics;
using BoMrl.Tabular;
using BoMrl.Tabular.Adaptation;
using BoMrl.Tabular.Meta;
using BoMrl.Tabular.Theory;

namespace BoMrl.Studies;

/// <summary>
/// The Frozen Lake verification experiment (Section 6.1): meta-train BO-MRL (Algorithm 1) and MAML on the training
/// tasks, meta-test both and a random initialisation on held-out tasks for 0..K adaptation steps, compute the
/// theory's quantities and bound, and check the hypergradient against finite differences of F.
/// </summary>
public static partial class FrozenLakeExperiment
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
        config = config with { Distance = distance.ToName() }; // an alias (d1, d2, d3) is input only: the summary writes kl1/kl2/l2
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
            new MetaTrainingOptions(config.Iterations, lr, config.TasksPerIteration, Seeds.Derive(config.Seed, 3), config.Threads,
                config.LambdaLearning == "meta", config.LambdaLr),
            new double[n], (t, r) =>
            {
                if ((t + 1) % every == 0)
                {
                    log?.Invoke($"[{tag}]   BO-MRL iteration {t + 1}/{config.Iterations}: batch return after Alg {r:F4}");
                }
            });
        bool learned = config.LambdaLearning == "meta";
        TabularAdaptation bomrlAlg = learned ? bomrl.Adaptation! : alg;
        if (learned)
        {
            log?.Invoke($"[{tag}]   meta-learned λ: {bomrlAlg.Lambda.ToString("G6", CultureInfo.InvariantCulture)}");
        }

        log?.Invoke($"[{tag}]   ({clock.Elapsed.TotalSeconds:F1} s)");
        log?.Invoke($"[{tag}] meta-training MAML (exact meta-gradient, fast learning rate {config.MamlStepSize.ToString(CultureInfo.InvariantCulture)})");
        MetaTrainingResult mamlResult = TabularMetaTraining.Train(train, maml, QEstimator.Exact,
            new MetaTrainingOptions(config.Iterations, lr, config.TasksPerIteration, Seeds.Derive(config.Seed, 4), config.Threads),
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
        double[][] bomrlCurves = MetaTest(test, bomrl.Phi, bomrlAlg, q, k, config.Seed, 0, config.Threads);
        double[][] mamlCurves = MetaTest(test, mamlResult.Phi, maml, q, k, config.Seed, 1, config.Threads);
        double[][] randomCurves = MetaTest(test, new double[n], alg, q, k, config.Seed, 2, config.Threads);
        double[] optimal = test.Select(t => FixedOrder.Dot(t.InitialDistribution, ValueIteration.OptimalValues(t))).ToArray();

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
        HypergradientCheck check = CheckHypergradient(train, bomrl.Phi, bomrlAlg, config.Threads);

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
            clock.Elapsed.TotalSeconds, learned ? bomrlAlg.Lambda : null, learned ? bomrl.Lambdas : null);
        log?.Invoke($"[{tag}] done in {summary.Seconds:F1} s: TEOG no-adapt {teog.NoAdaptation:F4}, BO-MRL {teog.BomrlOneStep:F4}, " +
            $"MAML {teog.MamlOneStep:F4}, bound {bound:G4}; FD check {check.MaxRelError:E2}");
        return summary;
    }

    /// <summary>
    /// Meta-test of one method: from <paramref name="phi"/>, K steps on each test task, each step a fresh Q of the
    /// current policy (stream (seed, 2, method, task, step)) and one <paramref name="alg"/>. Returns J per task per step,
    /// the same for every <paramref name="threads"/> (0 = every core).
    /// </summary>
    public static double[][] MetaTest(IReadOnlyList<TabularMdp> tasks, double[] phi, TabularAdaptation alg, QEstimator q,
        int steps, long seed, int method, int threads = 0)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        double[][] curves = new double[tasks.Count][];
        Parallel.For(0, tasks.Count, ThreadCount.Options(threads), i =>
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
    /// <paramref name="threads"/> (0 = every core) does not change the result.
    /// </summary>
    public static HypergradientCheck CheckHypergradient(IReadOnlyList<TabularMdp> tasks, double[] phi, TabularAdaptation alg,
        int threads = 0)
    {
        double[] g = new double[phi.Length];
        TabularMetaTraining.MetaGradient(tasks, phi, alg, g, threads);
        double[] fd = new double[phi.Length];
        double h = FiniteDifferenceStep;
        Parallel.For(0, phi.Length, ThreadCount.Options(threads), i =>
            fd[i] = FiniteDifference.Partial(x => TabularMetaTraining.MetaObjective(tasks, x, alg), phi, i, h));
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

    /// <summary>The standard error over tasks of each step's return.</summary>
    private static double[] Stderr(double[][] curves) =>
        Enumerable.Range(0, curves[0].Length).Select(j => Statistics.StandardError(curves.Select(c => c[j]).ToArray())).ToArray();
}
