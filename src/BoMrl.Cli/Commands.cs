using System.CommandLine;

namespace BoMrl.Cli;

/// <summary>The list of verbs; each verb lives in its own file.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All(CliContext ctx)
    {
        yield return BenchCommand.Create(ctx);
    }
}
