using System.CommandLine;
using System.Globalization;
using BoMrl.Configuration;
using BoMrl.Runs;
using BoMrl.Studies;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl tune --env E --grid F [--scale quick] [--seeds 101,102] [--threads n] [--configs DIR] [--report-only] --out DIR</c>:
/// every method × grid configuration trained and meta-tested at one scale on tuning seeds (<see cref="TuningStudy"/>),
/// each method's best by step-1 test return written to DIR/chosen/. Re-running continues unfinished runs.
/// </summary>
internal static class TuneCommand
{
    public static Command Create(CliContext ctx)
    {
        var env = new Option<string>("--env") { Description = $"Environment: {string.Join(", ", LocomotionStudy.Environments)}.", Required = true };
        var gridOption = new Option<string>("--grid") { Description = "Tuning grid (JSON: protocol, and per method a list of {name, set}); every method gets the same number of configurations.", Required = true };
        var scale = new Option<string>("--scale") { Description = "Data budget of every run (quick, long, paper; docs/experiments.md).", DefaultValueFactory = _ => "quick" };
        var seeds = new Option<string>("--seeds") { Description = "Tuning seeds, comma-separated (never the seeds of the tables).", DefaultValueFactory = _ => "101,102" };
        var threads = new Option<int?>("--threads") { Description = "Sampler threads, 0 = all cores; results do not depend on it." };
        var configs = new Option<string>("--configs") { Description = "Folder of the methods' base configs.", DefaultValueFactory = _ => "configs" };
        var reportOnly = new Option<bool>("--report-only") { Description = "Only rewrite the report and the chosen configs from the runs done so far." };
        var output = new Option<string>("--out") { Description = "Tuning folder: DIR/<env>/<method>/<configuration>/..., DIR/<env>-tuning.md, DIR/chosen/.", Required = true };
        var cmd = new Command("tune", "Tunes every method of a grid with the same budget on tuning seeds and chooses by step-1 test return.")
        {
            env, gridOption, scale, seeds, threads, configs, reportOnly, output,
        };
        cmd.SetAction(p => Run(ctx, p.GetValue(env)!, p.GetValue(gridOption)!, p.GetValue(scale)!, p.GetValue(seeds)!, p.GetValue(threads),
            p.GetValue(configs)!, p.GetValue(reportOnly), p.GetValue(output)!));
        return cmd;
    }

    private static int Run(CliContext ctx, string env, string gridPath, string scaleName, string seedList, int? threads,
        string configDir, bool reportOnly, string outDir)
    {
        LocomotionScale scale = ReproduceLocomotionCommand.CheckStudyOptions(env, scaleName, threads);
        if (!File.Exists(gridPath))
        {
            throw new UsageException($"--grid: {gridPath} does not exist");
        }

        long[] seeds = ReproduceLocomotionCommand.ParseSeeds(seedList);
        TuningGrid grid;
        try
        {
            grid = TuningGrid.Load(gridPath); // checked before the folder is claimed, so a bad grid leaves nothing behind
        }
        catch (ConfigException e)
        {
            throw new UsageException(e.Message);
        }

        RunClaim? claim = null;
        RunSupport.Writing(Path.GetFullPath(outDir), () => claim = RunClaim.Take(Path.GetFullPath(outDir), RunKinds.Study,
            resume: RunClaim.Inspect(Path.GetFullPath(outDir))?.Kind == RunKinds.Study));
        using RunClaim held = claim!;
        using IDisposable stoppable = Interrupts.Stoppable("stopping after the current iteration (re-run the command to continue)");
        try
        {
            var study = new TuningStudy(env, scale, grid, seeds, configDir, outDir, threads);
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"tune: {env}, {scale.Name} scale, {study.Grid.Points.Count} methods × {study.Grid.Points.Values.First().Count} configurations × {seeds.Length} seeds into {study.OutDirectory}"));
            if (!reportOnly)
            {
                study.Run(c => RunSupport.CreateLearner(ctx, c), ctx.Out.WriteLine, ctx.Cancellation);
            }

            IReadOnlyList<TuningRow> rows = study.WriteReport(configDir);
            foreach (TuningRow r in rows.Where(r => r.Chosen))
            {
                ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"tune: {r.Method}: chose {r.Point.Name} (step-1 return {r.Returns[1]:F2} over {r.Seeds} seeds)"));
            }

            ctx.Out.WriteLine($"wrote {Path.Combine(study.OutDirectory, env + "-tuning.md")} and {Path.Combine(study.OutDirectory, "chosen")}");
            return 0;
        }
        catch (OperationCanceledException)
        {
            ctx.Error.WriteLine("bomrl: tune: interrupted; the run folders hold their last checkpoints; re-run the command to continue");
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
}
