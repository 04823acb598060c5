using System.CommandLine;
using BoMrl.Environments.Mujoco;
using BoMrl.Experiments;
using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Cli;

/// <summary>Entry point of the <c>bomrl</c> command line.</summary>
public static class Program
{
    /// <summary>Exit code when a native dependency (libmujoco 2.2.2) cannot be loaded.</summary>
    public const int MissingDependencyExitCode = 3;

    /// <summary>Runs the CLI on the process's console.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A parse error or bad input prints one line on
    /// <paramref name="stderr"/> and returns 2 (never the full help, never a stack trace); a missing libmujoco prints
    /// its install hint and returns <see cref="MissingDependencyExitCode"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, new CliContext(stdout, stderr));

    /// <summary>Parses and runs <paramref name="args"/> with the writers (and learner factory) of <paramref name="ctx"/>.</summary>
    public static int Run(string[] args, CliContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        TextWriter stdout = ctx.Out;
        TextWriter stderr = ctx.Error;
        RootCommand root = BuildRoot(ctx);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"bomrl: {parse.Errors[0].Message}");
            return 2;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"bomrl: {e.Message}");
            return 2;
        }
        catch (NumericalFailureException e)
        {
            // NaN, non-convergence or a singular system in any verb: reported in one line, never swallowed.
            stderr.WriteLine($"bomrl: numerical failure: {e.Message.ReplaceLineEndings(" ")}");
            return 1;
        }
        catch (MujocoNotAvailableException e)
        {
            // libmujoco is missing: MuJoCo's one-line install hint, no stack trace.
            stderr.WriteLine($"bomrl: {e.Message}");
            return MissingDependencyExitCode;
        }
    }

    /// <summary>The root command with every verb.</summary>
    public static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr) => BuildRoot(new CliContext(stdout, stderr));

    /// <summary>The root command with every verb, writing where <paramref name="ctx"/> says.</summary>
    public static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand("BO-MRL for .NET: meta-reinforcement learning with universal policy adaptation (Xu & Zhu, NeurIPS 2024).");
        foreach (Command c in Commands.All(ctx))
        {
            root.Subcommands.Add(c);
        }

        return root;
    }
}

/// <summary>
/// Where a command writes, and how <c>train</c>/<c>test</c> build a meta-learner from a resolved config (null: the
/// library's <c>MetaLearners.Create</c>); lets tests run the CLI as a pure function with a stand-in learner.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<TrainConfig, IMetaLearner>? Learners = null)
{
    /// <summary>Whether output goes to an interactive terminal (Spectre.Console progress) rather than a pipe or file.</summary>
    public bool IsInteractive => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;
}

/// <summary>Bad input detected after parsing (unwritable folder, invalid config key, ...): one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
