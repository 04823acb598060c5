using System.CommandLine;
using System.Globalization;
using BoMrl.Configuration;
using BoMrl.Meta;
using BoMrl.Runs;
using Spectre.Console;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl test --run DIR [--steps K] [--tasks M] [--seed s] [--iteration N]</c>: meta-test of a trained run — K
/// adaptation steps on M fresh tasks, of the latest checkpoint or the one kept after N iterations; writes DIR/test.json
/// and DIR/test.png (mean return ± standard error vs adaptation step).
/// </summary>
internal static class TestCommand
{
    public static Command Create(CliContext ctx)
    {
        var run = new Option<string>("--run") { Description = "Run folder written by bomrl train", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Adaptation steps K (default: the config's test.steps)" };
        var tasks = new Option<int?>("--tasks") { Description = "Fresh test tasks M (default: the config's test.tasks)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the test tasks and episodes (default: the run's seed)" };
        var iteration = new Option<int?>("--iteration") { Description = "Test the checkpoint kept after N meta-iterations (checkpoints/iteration-NNNN.json; default: the latest)" };
        var cmd = new Command("test", "Meta-test a trained run: return after 0..K adaptation steps on fresh tasks.")
        {
            run, steps, tasks, seed, iteration,
        };
        cmd.SetAction(p => Run(ctx, p.GetValue(run)!, p.GetValue(steps), p.GetValue(tasks), p.GetValue(seed), p.GetValue(iteration)));
        return cmd;
    }

    private static int Run(CliContext ctx, string runPath, int? stepsArg, int? tasksArg, long? seedArg, int? iterationArg)
    {
        if (stepsArg is int k && k <= 0)
        {
            throw new UsageException($"--steps must be positive (got {k})");
        }

        if (tasksArg is int m && m <= 0)
        {
            throw new UsageException($"--tasks must be positive (got {m})");
        }

        if (iterationArg is int it && it < 0)
        {
            throw new UsageException($"--iteration must be 0 or positive (got {it})");
        }

        var folder = new RunFolder(runPath);
        if (!Directory.Exists(folder.Path))
        {
            throw new UsageException(File.Exists(folder.Path) ? $"--run: {folder.Path} is a file, not a run folder" : $"--run: no such folder {folder.Path}");
        }

        if (RunClaim.Inspect(folder.Path) is { Kind: not RunKinds.Train } other)
        {
            throw new UsageException($"--run: {folder.Path} holds a {other.Kind} run, not a train run");
        }

        // One writer per folder: the test holds the run's lock until test.json and test.png are written, so a train
        // (--resume, --force) or a second test cannot change the run under it, nor it under them.
        RunClaim? claim = null;
        RunSupport.Writing(folder.Path, () => claim = RunClaim.Join(folder.Path, RunKinds.Train, "wait for it to finish, then test"));
        using RunClaim held = claim!;
        (TrainConfig config, Checkpoint checkpoint) = RunSupport.ReadRun(folder, "--run", iterationArg);
        int steps = stepsArg ?? config.Test.Steps;
        int tasks = tasksArg ?? config.Test.Tasks;
        long seed = seedArg ?? config.Seed;
        IMetaLearner learner = RunSupport.CreateLearner(ctx, config);
        using IDisposable? owned = learner as IDisposable; // a learner that pools native environments frees them
        RunSupport.SetState(learner, checkpoint, folder);
        string what = $"testing {checkpoint.Algorithm} after {checkpoint.CompletedIterations} meta-iterations: {steps} adaptation steps on {tasks} tasks";
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        MetaTestResult result;
        try
        {
            // Progress: a spinner with the elapsed time on a terminal, a start and an end line when redirected.
            if (ctx.IsInteractive)
            {
                result = null!;
                AnsiConsole.Status().Start(what, status => result = learner.MetaTest(steps, tasks, seed, (j, m) =>
                    status.Status(string.Create(CultureInfo.InvariantCulture, $"{what}: step {j}/{steps} done, mean return {m:F2}"))));
            }
            else
            {
                ctx.Out.WriteLine(what + " ...");
                result = learner.MetaTest(steps, tasks, seed, (j, m) =>
                    ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  step {j}/{steps} done: mean return {m:F2}")));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException and not UsageException)
        {
            throw new MetaTestFailedException(e);
        }

        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tested in {System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s"));
        if (result.ReturnsByStep.Length != steps + 1 || result.StderrByStep.Length != steps + 1)
        {
            throw new InvalidDataException($"meta-test returned {result.ReturnsByStep.Length} points for {steps} steps");
        }

        if (result.ReturnsByStep.Any(x => !double.IsFinite(x)))
        {
            throw new MetaTestFailedException(new BoMrl.Numerics.NumericalFailureException("the meta-test produced a non-finite return"));
        }

        MetaTestReport report = MetaTestReport.From(result, checkpoint.CompletedIterations, tasks, seed);
        RunSupport.Writing(folder.Path, () =>
        {
            folder.WriteTestReport(report);
            MetaTestReport.Plot(folder.TestPlotPath,
                $"{report.Algorithm}: {tasks} test tasks after {report.Iterations} meta-iterations", [report.ToSeries(report.Algorithm)]);
        });

        ctx.Out.WriteLine($"{report.Algorithm}, {report.Iterations} meta-iterations, {tasks} test tasks, seed {seed}");
        ctx.Out.WriteLine("step  mean return  std. error");
        for (int i = 0; i <= steps; i++)
        {
            // One test task has no standard error: "n/a" (null in test.json), never a misleading 0.
            string se = report.StderrByStep is { } e ? e[i].ToString("F3", CultureInfo.InvariantCulture) : "n/a";
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i,4}  {report.ReturnsByStep[i],11:F3}  {se,10}"));
        }

        ctx.Out.WriteLine($"wrote {folder.TestReportPath} and {folder.TestPlotPath}");
        return 0;
    }
}

/// <summary>The meta-test failed (exit 1); the message says so before the failure's own.</summary>
internal sealed class MetaTestFailedException(Exception failure)
    : Exception($"meta-test failed: {ErrorPolicy.Describe(TrainingFailedException.Unwrap(failure))}", failure);
