using System.CommandLine;
using System.Globalization;
using BoMrl.Configuration;
using BoMrl.Runs;
using BoMrl.Studies;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl reproduce locomotion --env E [--scale quick|paper] [--seeds 1,2,3] [--methods a,b] [--threads n] --out DIR</c>:
/// the controlled comparison of Figures 2 and 5 (<see cref="LocomotionStudy"/>, <see cref="LocomotionReport"/>).
/// Re-running continues unfinished runs from their checkpoints and skips finished runs and tests.
/// </summary>
internal static class ReproduceLocomotionCommand
{
    public static Command Create(CliContext ctx)
    {
        var env = new Option<string>("--env") { Description = $"Environment: {string.Join(", ", LocomotionStudy.Environments)}.", Required = true };
        var scale = new Option<string>("--scale")
        {
            Description = "quick (reduced protocol, docs/experiments.md), long (quick's data, 100 meta-iterations) or paper (Appendix B); tiny is for tests.",
            DefaultValueFactory = _ => "quick",
        };
        var seeds = new Option<string>("--seeds") { Description = "Training seeds, comma-separated.", DefaultValueFactory = _ => "1,2,3" };
        var methods = new Option<string?>("--methods")
        {
            Description = $"Methods, comma-separated: config names configs/<env>-<method>.json, or {LocomotionStudy.PerEpisodeMethod} " +
                $"(default: {string.Join(", ", LocomotionStudy.DefaultMethods)}, those whose config exists).",
        };
        var threads = new Option<int?>("--threads") { Description = "Sampler threads, 0 = all cores (default: the configs'); results do not depend on it." };
        var configs = new Option<string>("--configs") { Description = "Folder of the method configs.", DefaultValueFactory = _ => "configs" };
        var output = new Option<string>("--out") { Description = "Study folder: DIR/<env>/<method>/seed-<s>/, DIR/<env>.md and the figures.", Required = true };
        var reportOnly = new Option<bool>("--report-only")
        {
            Description = "Only (re)write DIR/<env>.md and the two figures from the run folders' test.json and checkpoints (or metrics.csv); train nothing.",
        };
        var cmd = new Command("locomotion", "Trains and meta-tests every method on one locomotion task family at equal data.")
        {
            env, scale, seeds, methods, threads, configs, output, reportOnly,
        };
        cmd.SetAction(p => Run(ctx, p.GetValue(env)!, p.GetValue(scale)!, p.GetValue(seeds)!, p.GetValue(methods), p.GetValue(threads),
            p.GetValue(configs)!, p.GetValue(output)!, p.GetValue(reportOnly)));
        return cmd;
    }

    private static int Run(CliContext ctx, string env, string scaleName, string seedList, string? methodList, int? threads,
        string configDir, string outDir, bool reportOnly)
    {
        LocomotionScale scale = CheckStudyOptions(env, scaleName, threads);
        long[] seeds = ParseSeeds(seedList);
        List<string> methods;
        if (methodList is null)
        {
            (methods, List<string> leftOut) = LocomotionStudy.AvailableDefaults(configDir, env);
            if (leftOut.Count > 0)
            {
                ctx.Error.WriteLine($"reproduce locomotion: left out {string.Join("; ", leftOut)}");
            }
        }
        else
        {
            methods = [.. methodList.Split(',', StringSplitOptions.TrimEntries)];
            if (methods.Any(m => m.Length == 0) || methods.Distinct().Count() != methods.Count)
            {
                throw new UsageException($"--methods: expected distinct, comma-separated names (got '{methodList}')");
            }
        }

        LocomotionStudy study;
        try
        {
            study = new LocomotionStudy(env, scale, methods, seeds, configDir, outDir, threads);
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }

        // The study folder is claimed (lock + run.json kind "study") for the whole run; re-running the command continues
        // its own study, while any other kind of folder is refused.
        RunClaim? claim = null;
        RunSupport.Writing(study.OutDirectory, () => claim = RunClaim.Take(study.OutDirectory, RunKinds.Study,
            resume: RunClaim.Inspect(study.OutDirectory)?.Kind == RunKinds.Study));
        using RunClaim held = claim!;
        // First Ctrl-C or SIGTERM: finish and checkpoint the current iteration, then stop; a second one ends the process.
        using IDisposable stoppable = Interrupts.Stoppable("stopping after the current iteration (re-run the command to continue)");
        try
        {
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"reproduce locomotion: {env}, {scale.Name} scale, {methods.Count} methods × {seeds.Length} seeds into {study.OutDirectory}"));
            if (!reportOnly)
            {
                study.Run(c => RunSupport.CreateLearner(ctx, c), ctx.Out.WriteLine, ctx.Cancellation);
            }

            IReadOnlyList<MethodSummary> rows = LocomotionReport.Write(study);
            ctx.Out.WriteLine($"wrote {Path.Combine(study.OutDirectory, env + ".md")} ({rows.Count} methods), {env}-adaptation.png, {env}-training.png");
            return 0;
        }
        catch (OperationCanceledException)
        {
            ctx.Error.WriteLine("bomrl: reproduce locomotion: interrupted; the run folders hold their last checkpoints; re-run the command to continue");
            return Interrupts.ExitCode;
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new UsageException(RunSupport.OneLine(e.Message));
        }
    }

    /// <summary>The options every study verb shares (--env, --scale, --threads), checked; the scale they name.</summary>
    internal static LocomotionScale CheckStudyOptions(string env, string scaleName, int? threads)
    {
        if (!LocomotionStudy.Environments.Contains(env))
        {
            throw new UsageException($"--env: unknown environment '{env}' (one of {string.Join(", ", LocomotionStudy.Environments)})");
        }

        LocomotionScale scale = LocomotionScale.Named(scaleName, env)
            ?? throw new UsageException($"--scale: unknown scale '{scaleName}' (quick, long or paper)");
        if (threads is int t && t < 0)
        {
            throw new UsageException($"--threads must be 0 (all cores) or positive (got {t})");
        }

        return scale;
    }

    /// <summary>"1,2,3" → [1, 2, 3]; distinct integers, else a usage error.</summary>
    internal static long[] ParseSeeds(string list)
    {
        var seeds = new List<long>();
        foreach (string part in list.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out long s))
            {
                throw new UsageException($"--seeds: '{part}' is not an integer (expected e.g. 1,2,3)");
            }

            seeds.Add(s);
        }

        if (seeds.Distinct().Count() != seeds.Count)
        {
            throw new UsageException($"--seeds: repeated seed in '{list}'");
        }

        return [.. seeds];
    }
}
