using System.CommandLine;

namespace BoMrl.Cli;

/// <summary>The list of verbs; each verb lives in its own file.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All(CliContext ctx)
    {
        yield return TrainCommand.Create(ctx);
        yield return TestCommand.Create(ctx);
        yield return CompareCommand.Create(ctx);
        yield return ExportCommand.Create(ctx);
        yield return FrozenLakeCommand.Create(ctx);
        yield return ReproduceCommand.Create(ctx);
        yield return BenchCommand.Create(ctx);
        yield return DiagnoseCommand.Create(ctx);
        yield return WorkerCommand.Create(ctx);
        yield return ResultsCommand.Create(ctx);
        yield return TuneCommand.Create(ctx);
    }
}
