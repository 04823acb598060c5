using System.CommandLine;
using System.Globalization;
using BoMrl.Experiments;
using BoMrl.Meta;

namespace BoMrl.Cli;

/// <summary>
/// <c>bomrl test --run DIR [--steps K] [--tasks M] [--seed s]</c>: meta-test of a trained run (DESIGN §5) — K adaptation
/// steps on M fresh tasks; writes DIR/test.json and DIR/test.png (mean return ± standard error vs adaptation step).
/// </summary>
internal static class TestCommand
{
    public static Command Create(CliContext ctx)
    {
        var run = new Option<string>("--run") { Description = "Run folder written by bomrl train", Required = true };
        var steps = new Option<int?>("--steps") { Description = "Adaptation steps K (default: the config's test.steps)" };
        var tasks = new Option<int?>("--tasks") { Description = "Fresh test tasks M (default: the config's test.tasks)" };
        var seed = new Option<long?>("--seed") { Description = "Seed of the test tasks and episodes (default: the run's seed)" };
        var cmd = new Command("test", "Meta-test a trained run: return after 0..K adaptation steps on fresh tasks.")
        {
            run, steps, tasks, seed,
        };
        cmd.SetAction(p => Run(ctx, p.GetValue(run)!, p.GetValue(steps), p.GetValue(tasks), p.GetValue(seed)));
        return cmd;
    }

    private static int Run(CliContext ctx, string runPath, int? stepsArg, int? tasksArg, long? seedArg)
    {
        if (stepsArg is int k && k <= 0)
        {
            throw new UsageException($"--steps must be positive (got {k})");
        }

        if (tasksArg is int m && m <= 0)
        {
            throw new UsageException($"--tasks must be positive (got {m})");
        }

        var folder = new RunFolder(runPath);
        (TrainConfig config, Checkpoint checkpoint) = RunSupport.ReadRun(folder, "--run");
        int steps = stepsArg ?? config.Test.Steps;
        int tasks = tasksArg ?? config.Test.Tasks;
        long seed = seedArg ?? config.Seed;
        IMetaLearner learner = RunSupport.CreateLearner(ctx, config);
        using IDisposable? owned = learner as IDisposable; // a learner that pools native environments frees them
        if (learner.Algorithm != checkpoint.Algorithm)
        {
            throw new UsageException($"the checkpoint is of '{checkpoint.Algorithm}' but config.json builds '{learner.Algorithm}'");
        }

        learner.SetState(checkpoint.ToState());
        MetaTestResult result = learner.MetaTest(steps, tasks, seed);
        if (result.ReturnsByStep.Length != steps + 1 || result.StderrByStep.Length != steps + 1)
        {
            throw new InvalidDataException($"meta-test returned {result.ReturnsByStep.Length} points for {steps} steps");
        }

        if (result.ReturnsByStep.Any(x => !double.IsFinite(x)))
        {
            ctx.Error.WriteLine("bomrl: meta-test produced a non-finite return");
            return 1;
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
            ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{i,4}  {report.ReturnsByStep[i],11:F3}  {report.StderrByStep[i],10:F3}"));
        }

        ctx.Out.WriteLine($"wrote {folder.TestReportPath} and {folder.TestPlotPath}");
        return 0;
    }
}
