using System.CommandLine;
using System.Globalization;
using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Numerics;
using BoMrl.Policies;
using BoMrl.Sampling;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl bench sampler --env halfcheetah-vel [--variant v] [--envs n] [--steps n] [--threads n] [--hidden 64,64]
/// [--rounds r]</c>: env-steps/s of the full sampling loop (LockstepSampler: physics + observation + reward + batched
/// Gaussian MLP forward) against the bare physics of the same episodes (<see cref="BarePhysics.Replay"/>: the same
/// initial states and controls, FrameSkip × mj_step only), same environment count and threads, and their ratio. The
/// two are measured alternately for several rounds (the order flips every round) and the medians reported, because
/// the machine may be shared and noisy.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Largest policy batch the full loop uses (the sampler's default cap).</summary>
    private const int MaxGroupRows = LockstepSampler.DefaultMaxRowsPerBatch;

    public static Command Create(CliContext ctx)
    {
        var env = new Option<string>("--env") { Description = "MuJoCo task family: halfcheetah-vel, halfcheetah-dir, ant-vel or ant-dir", Required = true };
        var variant = new Option<string>("--variant")
        {
            Description = "Published variant: pytorch-maml-rl, promp or maml",
            DefaultValueFactory = _ => "pytorch-maml-rl",
        };
        var envs = new Option<int>("--envs") { Description = "Environments stepped together", DefaultValueFactory = _ => 40 };
        var steps = new Option<int>("--steps") { Description = "Env steps per environment per measurement (the paper's horizon is 200)", DefaultValueFactory = _ => 200 };
        var threads = new Option<int>("--threads") { Description = "Worker threads for both loops, 0 = all cores", DefaultValueFactory = _ => 0 };
        var hidden = new Option<string>("--hidden") { Description = "Hidden layer widths of the tanh Gaussian MLP policy", DefaultValueFactory = _ => "64,64" };
        var rounds = new Option<int>("--rounds") { Description = "Alternating bare/full measurements; medians are reported", DefaultValueFactory = _ => 5 };
        var sampler = new Command("sampler", "Full sampling loop vs bare MuJoCo physics: env-steps/s and their ratio.")
        {
            env, variant, envs, steps, threads, hidden, rounds,
        };
        sampler.SetAction(p => RunSampler(ctx, new SamplerArgs(p.GetValue(env)!, p.GetValue(variant)!, p.GetValue(envs), p.GetValue(steps),
            p.GetValue(threads), p.GetValue(hidden)!, p.GetValue(rounds))));
        return new Command("bench", "Throughput benchmarks (env-steps/s on this machine).") { sampler };
    }

    private sealed record SamplerArgs(string Env, string Variant, int Envs, int Steps, int Threads, string Hidden, int Rounds);

    private static int RunSampler(CliContext ctx, SamplerArgs a)
    {
        Positive(a.Envs, "--envs");
        Positive(a.Steps, "--steps");
        Positive(a.Rounds, "--rounds");
        if (a.Threads < 0)
        {
            throw new UsageException($"--threads must be 0 (all cores) or positive (got {a.Threads})");
        }

        int threads = a.Threads == 0 ? Math.Min(ThreadCount.Resolve(0), a.Envs) : a.Threads;
        if (threads > a.Envs)
        {
            throw new UsageException($"--threads {threads} exceeds --envs {a.Envs}: every thread needs an environment");
        }

        int[] hidden = ParseHidden(a.Hidden);
        if (!LocomotionTasks.Names.Contains(a.Env))
        {
            throw new UsageException($"--env must be a MuJoCo task family ({string.Join(", ", LocomotionTasks.Names)}); got '{a.Env}'");
        }

        ITaskDistribution family;
        try
        {
            family = TaskDistributions.Create(a.Env, a.Variant, a.Steps);
        }
        catch (ArgumentException e) when (e.ParamName is "variant")
        {
            int cut = e.Message.IndexOf(" (Parameter", StringComparison.Ordinal); // ArgumentException's suffix
            throw new UsageException($"--variant: {(cut < 0 ? e.Message : e.Message[..cut])}");
        }

        var tasks = (LocomotionTaskDistribution)family;
        var policy = new GaussianMlpPolicy(tasks.ObservationSize, tasks.ActionSize, hidden);
        double[] theta = policy.InitialParameters(Seeds.Rng(1));
        double[] task = tasks.SampleTask(Seeds.Rng(2));

        // One task of n episodes cut into groups of at most 32 rows (the sampler's default cap), as many groups as a
        // multiple of the thread count, so that every thread gets the same work; the bare replay uses the same groups.
        int perThread = (a.Envs + threads - 1) / threads;
        int groups = threads * ((perThread + MaxGroupRows - 1) / MaxGroupRows);
        int rows = (a.Envs + groups - 1) / groups;
        while ((a.Envs + rows - 1) / rows < threads)
        {
            rows--; // rounding up left fewer groups than threads (e.g. 9 envs on 4 threads); E ≥ T ends this at rows ≥ 1
        }
        using var sampler = new LockstepSampler(tasks, policy, a.Envs, threads, rows);
        TrajectoryBatch[] batches = [sampler.CreateBatch()];

        TextWriter o = ctx.Out;
        string layers = string.Join("-", hidden);
        o.WriteLine(Invariant($"bench sampler: {tasks.Name} ({a.Variant}), {a.Envs} envs x {a.Steps} steps, {threads} thread(s), policy {tasks.ObservationSize}-{layers}-{tasks.ActionSize} tanh Gaussian, batches of <= {rows}, frame skip {tasks.Definition.FrameSkip}, {a.Rounds} round(s)"));

        // Warm-up (JIT, environment pool, first touch of the batch); it also records the episodes the bare loop replays.
        SamplerThroughput.Measure(sampler, [task], [theta], batches, seed: 0, stream: 0);
        double[] actions = (double[])batches[0].Actions.Clone();
        int[] lengths = (int[])batches[0].Lengths.Clone();
        var full = new double[a.Rounds];
        var bare = new double[a.Rounds];
        for (int r = 0; r < a.Rounds; r++)
        {
            // Alternate the order so that a slow spell of a shared machine does not always hit the same loop. Both loops
            // do the same physics every round: the sampler repeats stream 0 (deterministic), the bare loop replays it.
            if (r % 2 == 1)
            {
                full[r] = SamplerThroughput.Measure(sampler, [task], [theta], batches, seed: 0, stream: 0).EnvStepsPerSecond;
            }

            Random[] resets = [.. Enumerable.Range(0, a.Envs).Select(e => LockstepSampler.EpisodeRng(0, 0, 0, e))];
            bare[r] = BarePhysics.Replay(tasks, task, resets, actions, lengths, a.Steps, threads, rows).EnvStepsPerSecond;
            if (r % 2 == 0)
            {
                full[r] = SamplerThroughput.Measure(sampler, [task], [theta], batches, seed: 0, stream: 0).EnvStepsPerSecond;
            }
        }

        double fullMedian = Median(full), bareMedian = Median(bare);
        o.WriteLine(Invariant($"full loop:    {fullMedian,12:N0} env-steps/s  (median; range {full.Min():N0}-{full.Max():N0})"));
        o.WriteLine(Invariant($"bare physics: {bareMedian,12:N0} env-steps/s  (median; range {bare.Min():N0}-{bare.Max():N0}; same episodes, mj_step only)"));
        o.WriteLine(Invariant($"ratio:        {fullMedian / bareMedian,12:F3}  (full / bare, of the medians)"));
        return 0;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new UsageException($"{name} must be positive (got {value})");
        }
    }

    private static int[] ParseHidden(string text)
    {
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var widths = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out widths[i]) || widths[i] <= 0)
            {
                throw new UsageException($"--hidden must list positive layer widths separated by commas, e.g. 64,64 (got '{text}')");
            }
        }

        return widths;
    }

    private static double Median(double[] values)
    {
        double[] s = [.. values];
        Array.Sort(s);
        int n = s.Length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[(n / 2) - 1] + s[n / 2]);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
