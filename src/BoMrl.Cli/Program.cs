using System.CommandLine;
using System.Runtime.InteropServices;
using BoMrl.Configuration;
using BoMrl.IO;
using BoMrl.Meta;
using BoMrl.Plots;

namespace BoMrl.Cli;

/// <summary>Entry point of the <c>bomrl</c> command line.</summary>
public static class Program
{
    /// <summary>Exit code of a numerical or runtime failure.</summary>
    public const int FailureExitCode = 1;

    /// <summary>Exit code of bad input (options, config keys, checkpoints, occupied run folders).</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code when a native dependency (libmujoco 2.2.2) cannot be loaded.</summary>
    public const int MissingDependencyExitCode = 3;

    /// <summary>Exit code after Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Exit code after SIGTERM (128 + SIGTERM, as shells report it).</summary>
    public const int TerminatedExitCode = 143;

    /// <summary>
    /// Runs the CLI on the process's console; Ctrl-C or SIGTERM asks a running <c>train</c> (or study) to stop at the
    /// next safe point, after the checkpoint of the iteration in progress. The PNG figures are drawn with ScottPlot
    /// (<see cref="ScottPlotFigureWriter"/>), which the library leaves to its user.
    /// </summary>
    public static int Main(string[] args)
    {
        Figures.Writer ??= new ScottPlotFigureWriter();
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => Interrupts.OnCancelKeyPress(interrupt, e, Console.Error);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM,
            c => Interrupts.OnTerminate(interrupt, c, Console.Error));
        return Run(args, new CliContext(Console.Out, Console.Error) { Cancellation = interrupt.Token });
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. A parse error or bad input prints one line on
    /// <paramref name="stderr"/> and returns 2 (never the full help, never a stack trace); a missing libmujoco prints
    /// its install hint and returns <see cref="MissingDependencyExitCode"/>.
    /// </summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, new CliContext(stdout, stderr));

    /// <summary>
    /// Parses and runs <paramref name="args"/> with the writers (and learner factory) of <paramref name="ctx"/>. Every
    /// verb shares one error policy (<see cref="ErrorPolicy"/>): one line on stderr and exit 2 for bad input, 1 for a
    /// numerical or runtime failure, 3 for a missing libmujoco, 130 after Ctrl-C; a stack trace only with BOMRL_DEBUG=1.
    /// </summary>
    public static int Run(string[] args, CliContext ctx)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(ctx);
        RootCommand root = BuildRoot(ctx);
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            ctx.Error.WriteLine($"bomrl: {ParseErrors.Describe(root, args, parse)}");
            return UsageExitCode;
        }

        if (ParseErrors.EmptyValue(parse) is { } empty)
        {
            ctx.Error.WriteLine($"bomrl: {empty}");
            return UsageExitCode;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = ctx.Out, Error = ctx.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return ErrorPolicy.Report(e, ctx.Error);
        }
    }

    /// <summary>The root command with every verb.</summary>
    public static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr) => BuildRoot(new CliContext(stdout, stderr));

    /// <summary>The root command with every verb, writing where <paramref name="ctx"/> says.</summary>
    public static RootCommand BuildRoot(CliContext ctx)
    {
        var root = new RootCommand("BO-MRL for .NET: meta-reinforcement learning with universal policy adaptation (Xu & Zhu, NeurIPS 2024).")
        {
            HelpName = "bomrl",
        };
        foreach (Command c in Commands.All(ctx))
        {
            root.Subcommands.Add(c);
        }

        return root;
    }
}

/// <summary>
/// Where a command writes, how <c>train</c>/<c>test</c> build a meta-learner from a resolved config (null: the
/// library's <c>MetaLearners.Create</c>) and the token Ctrl-C cancels; lets tests run the CLI as a pure function with a
/// stand-in learner.
/// </summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<TrainConfig, IMetaLearner>? Learners = null)
{
    /// <summary>Cancelled by Ctrl-C; <c>train</c> stops between meta-iterations, after the checkpoint is written.</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Whether output goes to an interactive terminal (Spectre.Console progress) rather than a pipe or file.</summary>
    public bool IsInteractive => ReferenceEquals(Out, Console.Out) && !Console.IsOutputRedirected;
}

/// <summary>Bad input detected after parsing (unwritable folder, invalid config key, ...): one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Ctrl-C and SIGTERM: a safe stop between meta-iterations where a verb supports it (exit 130 or 143 once stopped),
/// else a message and the same exit code at once.
/// </summary>
internal static class Interrupts
{
    private static volatile bool s_stoppable;
    private static volatile string s_stopping = "stopping after the meta-iteration in progress";
    private static volatile int s_exitCode = Program.InterruptedExitCode;

    /// <summary>The exit code of the signal that stopped the run: 130 after Ctrl-C (and in tests), 143 after SIGTERM.</summary>
    public static int ExitCode => s_exitCode;

    /// <summary>
    /// Marks a section (the training loop, a study, a worker) that stops by itself at a safe point when the token is
    /// cancelled; <paramref name="stopping"/> is what the first signal prints.
    /// </summary>
    public static IDisposable Stoppable(string stopping = "stopping after the meta-iteration in progress")
    {
        s_stopping = stopping;
        s_stoppable = true;
        return new Section();
    }

    /// <summary>
    /// First Ctrl-C inside a stoppable section: cancel the token and keep running to the next safe point. Anywhere else,
    /// or a second Ctrl-C: say so and let the process end (exit 130); run folders are never half-written.
    /// </summary>
    public static void OnCancelKeyPress(CancellationTokenSource cts, ConsoleCancelEventArgs e, TextWriter stderr)
    {
        e.Cancel = true;
        if (!Stop(cts, "Ctrl-C", Program.InterruptedExitCode, stderr))
        {
            Environment.Exit(Program.InterruptedExitCode);
        }
    }

    /// <summary>SIGTERM, handled as Ctrl-C is (a stop at the next safe point inside a stoppable section), with exit 143.</summary>
    public static void OnTerminate(CancellationTokenSource cts, PosixSignalContext c, TextWriter stderr)
    {
        c.Cancel = true;
        if (!Stop(cts, "SIGTERM", Program.TerminatedExitCode, stderr))
        {
            Environment.Exit(Program.TerminatedExitCode);
        }
    }

    /// <summary>Cancels <paramref name="cts"/> when a stoppable section runs and no stop is under way; false: end now.</summary>
    private static bool Stop(CancellationTokenSource cts, string signal, int code, TextWriter stderr)
    {
        if (s_stoppable && !cts.IsCancellationRequested)
        {
            s_exitCode = code;
            cts.Cancel();
            stderr.WriteLine($"bomrl: {signal}: {s_stopping} ({signal} again to stop at once)");
            return true;
        }

        // Elsewhere, or a second signal: end now (files are written atomically, so no folder is left torn; the lock's
        // pid file is removed at process exit).
        stderr.WriteLine(code == Program.TerminatedExitCode ? "bomrl: terminated" : "bomrl: interrupted");
        return false;
    }

    private sealed class Section : IDisposable
    {
        public void Dispose() => s_stoppable = false;
    }
}
