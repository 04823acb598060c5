using System.CommandLine;
using System.Globalization;
using BoMrl.Cluster;
using BoMrl.Configuration;
using BoMrl.IO;
using BoMrl.Meta;
using BoMrl.Runs;
using Spectre.Console;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl train --config F --out DIR [--seed s] [--iterations n] [--resume] [--threads n]</c>: meta-trains into a run
/// folder (config.json, metrics.csv, checkpoints/), resumable after any interruption with identical results.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(CliContext ctx)
    {
        var config = new Option<string>("--config") { Description = "JSON config (configs/*.json); optional with --resume, where it must match the run's" };
        var output = new Option<string>("--out") { Description = "Run folder to create (or continue with --resume)", Required = true };
        var seed = new Option<long?>("--seed") { Description = "Root seed (default: the config's seed)" };
        var iterations = new Option<int?>("--iterations") { Description = "Meta-iterations in total (default: the config's iterations)" };
        var resume = new Option<bool>("--resume") { Description = "Continue from DIR/checkpoints/latest.json" };
        var threads = new Option<int?>("--threads") { Description = "Sampler threads, 0 = all cores (default: the config's); results do not depend on it" };
        var force = new Option<bool>("--force") { Description = "Start over in a folder that holds a run (its train outputs are removed first) or another kind of folder" };
        var cluster = new Option<string?>("--cluster") { Description = "Run the per-task work on the workers of the cluster at redis://HOST:PORT (`bomrl worker`); same results as local" };
        var clusterWait = new Option<int>("--cluster-wait") { Description = "Seconds a task may wait for a live worker before the run stops (resumable)", DefaultValueFactory = _ => 60 };
        var tls = new Option<string?>("--tls") { Description = "With --cluster: the cluster's certificate (PKCS#12 with key; password in BOMRL_TLS_PASSWORD) for mutual TLS" };
        var cmd = new Command("train", "Meta-train BO-MRL, MAML-TRPO, E-MAML or ProMP from a config into a run folder.")
        {
            config, output, seed, iterations, resume, threads, force, cluster, clusterWait, tls,
        };
        cmd.SetAction(p => Run(ctx, new TrainArgs(p.GetValue(config), p.GetValue(output)!, p.GetValue(seed),
            p.GetValue(iterations), p.GetValue(resume), p.GetValue(threads), p.GetValue(force), p.GetValue(cluster), p.GetValue(clusterWait), p.GetValue(tls))));
        return cmd;
    }

    private sealed record TrainArgs(string? Config, string Out, long? Seed, int? Iterations, bool Resume, int? Threads, bool Force,
        string? Cluster = null, int ClusterWait = 60, string? Tls = null);

    private static int Run(CliContext ctx, TrainArgs a)
    {
        if (a.Iterations is int n && n < 0)
        {
            throw new UsageException($"--iterations must be 0 (initialise only) or positive (got {n})");
        }

        if (a.Threads is int t && t < 0)
        {
            throw new UsageException($"--threads must be 0 (all cores) or positive (got {t})");
        }

        if (a.ClusterWait <= 0)
        {
            throw new UsageException($"--cluster-wait must be a positive number of seconds (got {a.ClusterWait})");
        }

        if (a.Cluster is { } address)
        {
            ClusterSupport.CheckAddress(address);
        }
        else if (a.Tls is not null)
        {
            throw new UsageException("--tls secures a cluster run; pass --cluster too");
        }

        ClusterTls? clusterTls = ClusterSupport.LoadTls(a.Tls);

        if (a.Resume && a.Force)
        {
            throw new UsageException("--resume continues a run and --force starts it over; pass one of them");
        }

        var folder = new RunFolder(a.Out);
        TrainConfig config;
        Checkpoint? checkpoint = null;
        if (a.Resume)
        {
            if (!folder.HasCheckpoint)
            {
                throw new UsageException($"--resume: no checkpoint in {folder.CheckpointDirectory}");
            }

            (config, checkpoint) = RunSupport.ReadRun(folder, "--resume");
            if (a.Seed is long s && s != config.Seed)
            {
                throw new UsageException($"--seed {s} differs from the run's seed {config.Seed}");
            }

            if (a.Config is not null && Comparable(Override(RunSupport.LoadConfig(a.Config), a)) != Comparable(config))
            {
                throw new UsageException($"--config {a.Config} differs from {folder.ConfigPath}; resume without --config or train into another --out");
            }

            config = Override(config, a);
        }
        else
        {
            if (a.Config is null)
            {
                throw new UsageException("--config is required (except with --resume)");
            }

            config = Override(RunSupport.LoadConfig(a.Config), a);
        }

        // Build the learner before touching the folder, so a config the learners reject leaves nothing behind; then
        // take the folder (lock, kind), which refuses another writer, another kind of run, or a run already there.
        IMetaLearner learner = RunSupport.CreateLearner(ctx, config);
        using IDisposable? owned = learner as IDisposable; // a learner that pools native environments frees them
        if (checkpoint is not null)
        {
            RunSupport.SetState(learner, checkpoint, folder); // φ of another shape or algorithm: refused here, in words
        }

        // On a cluster the per-task work runs on the workers; joining fails here, before the folder is touched.
        using ClusterSupport.Connection? cluster = a.Cluster is { } url
            ? ClusterSupport.Connect(learner, config, url, TimeSpan.FromSeconds(a.ClusterWait), clusterTls, ctx.Cancellation)
            : null;

        RunClaim? claim = null;
        RunSupport.Writing(folder.Path, () => claim = RunClaim.Take(folder.Path, RunKinds.Train, a.Resume, a.Force));
        using RunClaim held = claim!;
        RunSupport.Writing(folder.Path, () =>
        {
            folder.Create();
            folder.WriteConfig(config);
        });

        int done = checkpoint?.CompletedIterations ?? 0;
        if (checkpoint is not null && done >= config.Iterations)
        {
            RunSupport.Writing(folder.Path, () => Trainer.Complete(folder, checkpoint, config.CheckpointEvery));
            held.Finish();
            ctx.Out.WriteLine($"{folder.Path}: already {done} of {config.Iterations} iterations; nothing to do");
            return 0;
        }

        ctx.Out.WriteLine((a.Resume
            ? $"resuming {learner.Algorithm} at iteration {done} of {config.Iterations} in {folder.Path}"
            : $"training {learner.Algorithm} for {config.Iterations} iterations into {folder.Path}") + (cluster is null ? "" : $" on the cluster {a.Cluster}"));
        IReadOnlyList<MetricsRow> rows;
        int completed = done;
        try
        {
            using IDisposable stoppable = Interrupts.Stoppable();
            rows = WithProgress(ctx, done, config.Iterations, report => Trainer.Run(folder, learner, config.Iterations, checkpoint,
                p => { completed = p.Completed; report(p); }, ctx.Cancellation, config.CheckpointEvery));
        }
        catch (InvalidDataException e)
        {
            throw new UsageException(RunSupport.OneLine(e.Message));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A full disk, a read-only remount: the checkpoints written so far stay; once fixed, --resume continues.
            string then = folder.HasCheckpoint ? $"continue with: bomrl train --out {RunSupport.ShellQuote(folder.Path)} --resume" : "start again with --force";
            throw new UsageException($"cannot write to {folder.Path}: {FileSystemErrors.Describe(e)} after {completed} meta-iterations; once fixed, {then}");
        }
        catch (TrainingFailedException e) when (cluster is not null && e.InnerException is { } inner
            && TrainingFailedException.Unwrap(inner) is ClusterUnavailableException lost)
        {
            throw new TrainingFailedException(e.Iteration, new ClusterUnavailableException(
                $"{RunSupport.OneLine(lost.Message)}; once workers are back: bomrl train --out {RunSupport.ShellQuote(folder.Path)} --resume --cluster {a.Cluster}"));
        }
        catch (OperationCanceledException) when (ctx.Cancellation.IsCancellationRequested)
        {
            // Ctrl-C: Trainer stopped between iterations, after writing the checkpoint of every completed one.
            ctx.Error.WriteLine($"bomrl: interrupted after {completed} of {config.Iterations} meta-iterations; the checkpoint is saved; " +
                $"continue with: bomrl train --out {RunSupport.ShellQuote(folder.Path)} --resume");
            return Interrupts.ExitCode;
        }

        held.Finish();
        if (cluster is not null)
        {
            ctx.Out.WriteLine(cluster.Summary());
        }

        if (rows.Count == 0)
        {
            ctx.Out.WriteLine($"initialised {folder.Path} with the untrained meta-policy (0 iterations); `bomrl test --run` evaluates it");
            return 0;
        }

        MetricsRow last = rows[^1];
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"done: {rows.Count} iterations; last pre-adaptation return {last.PreReturn:F3}, post-adaptation {last.PostReturn:F3}; {folder.MetricsPath}"));
        return 0;
    }

    /// <summary>Applies --seed, --iterations and --threads to a config.</summary>
    private static TrainConfig Override(TrainConfig c, TrainArgs a) => c with
    {
        Seed = a.Seed ?? c.Seed,
        Iterations = a.Iterations ?? c.Iterations,
        Sampler = c.Sampler with { Threads = a.Threads ?? c.Sampler.Threads },
    };

    /// <summary>The config as JSON without the settings a resume may change (iterations, threads).</summary>
    private static string Comparable(TrainConfig c) =>
        ConfigLoader.ToJson(c with { Iterations = 1, Sampler = c.Sampler with { Threads = 0 } });

    /// <summary>
    /// Runs <paramref name="body"/> with a progress callback: a Spectre.Console bar with ETA on a terminal, one plain
    /// line per iteration when output is redirected (CI logs, tests).
    /// </summary>
    private static T WithProgress<T>(CliContext ctx, int done, int total, Func<Action<TrainingProgress>, T> body)
    {
        if (!ctx.IsInteractive)
        {
            return body(p => ctx.Out.WriteLine(PlainLine(p)));
        }

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(pc =>
            {
                ProgressTask task = pc.AddTask("meta-training", maxValue: total);
                task.Value = done;
                result = body(p =>
                {
                    task.Value = p.Completed;
                    task.Description = string.Create(CultureInfo.InvariantCulture,
                        $"iter {p.Completed}/{p.Total} pre {p.Row.PreReturn:F2} post {p.Row.PostReturn:F2}");
                });
            });
        return result;
    }

    internal static string PlainLine(TrainingProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"iteration {p.Completed}/{p.Total}  pre {p.Row.PreReturn:F3}  post {p.Row.PostReturn:F3}  kl {p.Row.Kl:G3}  " +
        $"{(p.Row.StepAccepted ? "accepted" : "rejected")}  {p.Row.TimeTotal:F2} s  eta {p.Eta:hh\\:mm\\:ss}");
}
