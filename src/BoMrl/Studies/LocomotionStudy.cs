using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Runs;

namespace BoMrl.Studies;

/// <summary>
/// A controlled locomotion comparison (Figure 2 and Figure 5 of the paper): every method trained at equal data
/// (<see cref="LocomotionScale"/> applied as config overrides on top of configs/&lt;env&gt;-&lt;method&gt;.json, with
/// <c>algorithm.weighting</c> per-step for every row except the <c>maml-trpo-per-episode</c> row), one ordinary
/// run folder per (method, seed) under DIR/&lt;env&gt;/&lt;method&gt;/seed-&lt;s&gt;/, resumed from its checkpoint when
/// unfinished, skipped when finished; then the meta-test of each run on the same test tasks.
/// </summary>
public sealed class LocomotionStudy
{
    /// <summary>The environments a study accepts.</summary>
    public static IReadOnlyList<string> Environments { get; } = ["halfcheetah-vel", "halfcheetah-dir", "ant-vel", "ant-dir"];

    /// <summary>
    /// The default methods: BO-MRL D1/D2/D3, MAML-TRPO, ProMP, E-MAML (the shipped, tuned configs), BO-MRL D2 at the
    /// paper's settings and MAML-TRPO at its published δ (the <c>-paper</c> configs), and MAML-TRPO with per-episode weighting.
    /// </summary>
    public static IReadOnlyList<string> DefaultMethods { get; } =
        ["bomrl-kl1", "bomrl-kl2", "bomrl-l2", "maml-trpo", "promp", "emaml", "bomrl-kl2-paper", "maml-trpo-paper", PerEpisodeMethod];

    /// <summary>The extra row: the maml-trpo config with <c>algorithm.weighting</c> per-episode.</summary>
    public const string PerEpisodeMethod = "maml-trpo-per-episode";

    /// <summary>The config key the weighting override sets (applied only where the schema has it).</summary>
    public const string WeightingKey = "algorithm.weighting";

    /// <summary>Prepares a study; every config is loaded and validated here, so a bad method fails before any training.</summary>
    /// <exception cref="ConfigException">An unknown environment or method, a missing config, or a rejected override.</exception>
    public LocomotionStudy(string env, LocomotionScale scale, IReadOnlyList<string> methods, IReadOnlyList<long> seeds,
        string configDirectory, string outDirectory, int? threads = null)
    {
        ArgumentNullException.ThrowIfNull(scale);
        ArgumentNullException.ThrowIfNull(methods);
        ArgumentNullException.ThrowIfNull(seeds);
        if (!Environments.Contains(env))
        {
            throw new ConfigException($"unknown environment '{env}' (one of {string.Join(", ", Environments)})");
        }

        if (methods.Count == 0 || seeds.Count == 0)
        {
            throw new ConfigException("a study needs at least one method and one seed");
        }

        Env = env;
        Scale = scale;
        Methods = methods;
        Seeds = seeds;
        OutDirectory = Path.GetFullPath(outDirectory);
        var configs = new Dictionary<(string, long), TrainConfig>();
        foreach (string m in methods)
        {
            string file = ConfigPath(configDirectory, env, m);
            if (!File.Exists(file))
            {
                throw new ConfigException($"no config {file} for method '{m}'");
            }

            foreach (long s in seeds)
            {
                configs[(m, s)] = ConfigLoader.Load(file, Overrides(m, scale, s, threads));
            }
        }

        _configs = configs;
    }

    private readonly Dictionary<(string, long), TrainConfig> _configs;

    /// <summary>The environment.</summary>
    public string Env { get; }

    /// <summary>The shared data budget.</summary>
    public LocomotionScale Scale { get; }

    /// <summary>Methods, in table order.</summary>
    public IReadOnlyList<string> Methods { get; }

    /// <summary>Training seeds.</summary>
    public IReadOnlyList<long> Seeds { get; }

    /// <summary>The study's root folder (DIR).</summary>
    public string OutDirectory { get; }

    /// <summary>Every (method, seed) in run order: method-major, as the table lists them.</summary>
    public IEnumerable<StudyRun> Runs => Methods.SelectMany(m => Seeds.Select(s => new StudyRun(m, s)));

    /// <summary>configs/&lt;env&gt;-&lt;method&gt;.json (the per-episode row reads the maml-trpo config).</summary>
    public static string ConfigPath(string configDirectory, string env, string method) =>
        Path.Combine(configDirectory, $"{env}-{(method == PerEpisodeMethod ? "maml-trpo" : method)}.json");

    /// <summary>The resolved config of a run (scale, seed, threads and weighting applied).</summary>
    public TrainConfig Config(StudyRun run) => _configs[(run.Method, run.Seed)];

    /// <summary>DIR/&lt;env&gt;/&lt;method&gt;/seed-&lt;s&gt;.</summary>
    public RunFolder Folder(StudyRun run) =>
        new(Path.Combine(OutDirectory, Env, run.Method, string.Create(CultureInfo.InvariantCulture, $"seed-{run.Seed}")));

    /// <summary>
    /// The overrides of one run: the scale's data budget, the seed, the meta-test and, where the schema has
    /// <see cref="WeightingKey"/>, the weighting: per-episode for <see cref="PerEpisodeMethod"/>, per-step for every other
    /// row (the learners whose own default is per-step resolve to the same config either way).
    /// </summary>
    public static JsonObject Overrides(string method, LocomotionScale scale, long seed, int? threads)
    {
        ArgumentNullException.ThrowIfNull(scale);
        var sampler = new JsonObject
        {
            ["meta_batch_size"] = scale.MetaBatchSize,
            ["episodes_per_task"] = scale.EpisodesPerTask,
            ["horizon"] = scale.Horizon,
        };
        if (threads is int t)
        {
            sampler["threads"] = t;
        }

        var o = new JsonObject
        {
            ["sampler"] = sampler,
            ["test"] = new JsonObject { ["steps"] = scale.TestSteps, ["tasks"] = scale.TestTasks },
            ["iterations"] = scale.Iterations,
            ["seed"] = seed,
        };
        if (method == PerEpisodeMethod || ConfigLoader.HasKey(WeightingKey))
        {
            o["algorithm"] = new JsonObject { ["weighting"] = method == PerEpisodeMethod ? "per-episode" : "per-step" };
        }

        return o;
    }

    /// <summary>
    /// Trains (or resumes, or skips) every run, then meta-tests each run that has no test.json for this scale yet.
    /// <paramref name="log"/> gets one line per event and per iteration (run, iteration, study ETA).
    /// </summary>
    /// <param name="create">Builds a learner from a resolved config (the CLI's factory).</param>
    /// <param name="log">Progress lines.</param>
    /// <param name="cancellation">Stops after the current iteration (the checkpoint is written first).</param>
    /// <exception cref="ConfigException">A run folder holds a run of another config (e.g. another scale).</exception>
    public void Run(Func<TrainConfig, IMetaLearner> create, Action<string> log, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(log);
        StudyRun[] runs = Runs.ToArray();
        var eta = new StudyClock(Scale.Iterations);
        foreach (StudyRun r in runs)
        {
            eta.Record(r, Existing(r)?.Metrics ?? []);
        }

        for (int i = 0; i < runs.Length; i++)
        {
            StudyRun r = runs[i];
            string name = $"[{i + 1}/{runs.Length}] {Env} {r.Method} seed-{r.Seed}";
            RunFolder folder = Folder(r);
            TrainConfig config = Config(r);
            Checkpoint? checkpoint = Existing(r);
            if (checkpoint is not null && checkpoint.CompletedIterations >= config.Iterations)
            {
                log($"{name}: skipped (trained, {checkpoint.CompletedIterations} iterations)");
            }
            else
            {
                IMetaLearner learner = create(config);
                using IDisposable? owned = learner as IDisposable;
                using RunClaim claim = RunClaim.Take(folder.Path, RunKinds.Train, resume: RunClaim.Inspect(folder.Path) is not null);
                folder.Create();
                folder.WriteConfig(config);
                log(checkpoint is null ? $"{name}: training {config.Iterations} iterations"
                    : $"{name}: resuming at iteration {checkpoint.CompletedIterations}");
                IReadOnlyList<MetricsRow> done = Trainer.Run(folder, learner, config.Iterations, checkpoint, p =>
                {
                    eta.Update(r, p.Completed, p.Row.TimeTotal);
                    log(string.Create(CultureInfo.InvariantCulture,
                        $"{name}: iteration {p.Completed}/{p.Total}, post {p.Row.PostReturn:F2}, {p.Row.TimeTotal:F1} s; study eta {eta.Remaining(runs):hh\\:mm\\:ss}"));
                }, cancellation);
                claim.Finish();
                eta.Record(r, done);
            }

            Test(r, name, create, log);
            TestUntrained(r, name, create, log);
        }
    }

    /// <summary>Where the untrained meta-policy φ₀ of a run (its config and seed, no meta-update) keeps its meta-test.</summary>
    public string UntrainedReportPath(StudyRun run) =>
        Path.Combine(OutDirectory, Env, run.Method, string.Create(CultureInfo.InvariantCulture, $"untrained-seed-{run.Seed}.json"));

    /// <summary>
    /// The meta-test of the run's untrained φ₀ (the same adaptation steps, test tasks and test seed as the trained test):
    /// the reference "meta-learned" is measured against. Step 0 is the one to beat where a fixed policy can do well on
    /// every task (velocity targets); where it cannot (directions ±1: a fixed policy's forward reward averages to zero),
    /// the adapted steps are. Written once, atomically, beside the run folder; a report from an older build with only
    /// step 0 is measured again (step 0 is the same number: same φ₀, tasks and seed).
    /// </summary>
    private void TestUntrained(StudyRun r, string name, Func<TrainConfig, IMetaLearner> create, Action<string> log)
    {
        string path = UntrainedReportPath(r);
        if (File.Exists(path) && MetaTestReport.Read(path) is { } old && old.ReturnsByStep.Length == Scale.TestSteps + 1
            && old.Tasks == Scale.TestTasks && old.Seed == Scale.TestSeed)
        {
            return;
        }

        IMetaLearner learner = create(Config(r)); // a fresh learner holds φ₀ of the run's seed
        using IDisposable? owned = learner as IDisposable;
        MetaTestResult result = learner.MetaTest(Scale.TestSteps, Scale.TestTasks, Scale.TestSeed);
        MetaTestReport.From(result, 0, Scale.TestTasks, Scale.TestSeed).Write(path);
        log(string.Create(CultureInfo.InvariantCulture,
            $"{name}: untrained φ₀, return by step {string.Join(" / ", result.ReturnsByStep.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}"));
    }

    /// <summary>
    /// The default methods whose config exists in <paramref name="configDirectory"/> (the per-episode row also needs
    /// <see cref="WeightingKey"/> in the schema), and a reason for each one left out.
    /// </summary>
    public static (List<string> Available, List<string> LeftOut) AvailableDefaults(string configDirectory, string env)
    {
        var available = new List<string>();
        var leftOut = new List<string>();
        foreach (string m in DefaultMethods)
        {
            string file = ConfigPath(configDirectory, env, m);
            if (!File.Exists(file))
            {
                leftOut.Add($"{m} (no {file})");
            }
            else if (m == PerEpisodeMethod && !ConfigLoader.HasKey(WeightingKey))
            {
                leftOut.Add($"{m} (no config key {WeightingKey} in this build)");
            }
            else
            {
                available.Add(m);
            }
        }

        return (available, leftOut);
    }

    /// <summary>The run's checkpoint, after checking that its config.json is this study's config for the run.</summary>
    private Checkpoint? Existing(StudyRun r)
    {
        RunFolder folder = Folder(r);
        if (!folder.HasCheckpoint)
        {
            return null;
        }

        TrainConfig existing = folder.ReadConfig();
        if (Comparable(existing) != Comparable(Config(r)))
        {
            throw new ConfigException($"{folder.Path} holds a run of another config (scale or method changed); use another --out");
        }

        return folder.ReadCheckpoint();
    }

    /// <summary>Meta-test after 0..K steps on the scale's test tasks, unless test.json already holds exactly that.</summary>
    private void Test(StudyRun r, string name, Func<TrainConfig, IMetaLearner> create, Action<string> log)
    {
        RunFolder folder = Folder(r);
        using RunClaim claim = RunClaim.Join(folder.Path, RunKinds.Train, "wait for it to finish, then re-run the study"); // one writer per run folder
        Checkpoint checkpoint = folder.ReadCheckpoint() ?? throw new InvalidDataException($"{folder.Path}: no checkpoint");
        if (File.Exists(folder.TestReportPath))
        {
            MetaTestReport old = folder.ReadTestReport();
            if (old.Iterations == checkpoint.CompletedIterations && old.Tasks == Scale.TestTasks && old.Seed == Scale.TestSeed
                && old.ReturnsByStep.Length == Scale.TestSteps + 1)
            {
                log($"{name}: skipped test (test.json present)");
                return;
            }
        }

        log($"{name}: meta-test, {Scale.TestSteps} steps on {Scale.TestTasks} tasks");
        long start = Stopwatch.GetTimestamp();
        IMetaLearner learner = create(Config(r));
        using IDisposable? owned = learner as IDisposable;
        learner.SetState(checkpoint.ToState());
        MetaTestResult result = learner.MetaTest(Scale.TestSteps, Scale.TestTasks, Scale.TestSeed,
            (j, m) => log(string.Create(CultureInfo.InvariantCulture, $"{name}: meta-test step {j}/{Scale.TestSteps}, mean return {m:F2}")));
        MetaTestReport report = MetaTestReport.From(result, checkpoint.CompletedIterations, Scale.TestTasks, Scale.TestSeed);
        folder.WriteTestReport(report);
        MetaTestReport.Plot(folder.TestPlotPath, $"{r.Method} seed {r.Seed}: {Scale.TestTasks} test tasks", [report.ToSeries(r.Method)]);
        log(string.Create(CultureInfo.InvariantCulture,
            $"{name}: tested in {Stopwatch.GetElapsedTime(start).TotalSeconds:F0} s, returns {string.Join(" ", report.ReturnsByStep.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))}"));
    }

    /// <summary>The config as JSON without what a continued run may change: thread count (results do not depend on it) and iterations.</summary>
    private static string Comparable(TrainConfig c) =>
        ConfigLoader.ToJson(c with { Iterations = 0, Sampler = c.Sampler with { Threads = 0 } });
}
