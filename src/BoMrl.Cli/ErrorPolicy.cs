using BoMrl.Configuration;
using BoMrl.Environments.Mujoco;
using BoMrl.IO;
using BoMrl.Numerics;
using BoMrl.Runs;

namespace BoMrl.Cli;

/// <summary>
/// The one error policy of every verb: an exception becomes one line on stderr and an exit code — 2 bad input
/// (<see cref="UsageException"/>, <see cref="ConfigException"/>), 1 numerical or runtime failure (naming the
/// meta-iteration and task where known), 3 libmujoco unusable, 130 interrupted. The stack trace follows only when the
/// environment variable <see cref="DebugVariable"/> is 1.
/// </summary>
internal static class ErrorPolicy
{
    /// <summary>Environment variable that adds the stack trace after the one-line message.</summary>
    public const string DebugVariable = "BOMRL_DEBUG";

    /// <summary>Writes the one-line report of <paramref name="e"/> and returns its exit code.</summary>
    public static int Report(Exception e, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(stderr);
        Exception root = TrainingFailedException.Unwrap(e); // a failure in a per-task parallel loop: its first task's
        (int code, string line) = root switch
        {
            UsageException or ConfigException or RunFolderException or FolderLockedException or FolderNotWritableException => (Program.UsageExitCode, root.Message),
            MujocoNotAvailableException => (Program.MissingDependencyExitCode, root.Message),
            OperationCanceledException => (Interrupts.ExitCode, "interrupted"),
            TrainingFailedException or MetaTestFailedException or FrozenLakeFailedException => (Program.FailureExitCode, root.Message),
            _ => (Program.FailureExitCode, Describe(root)),
        };
        stderr.WriteLine($"bomrl: {RunSupport.OneLine(line)}");
        if (Environment.GetEnvironmentVariable(DebugVariable) == "1")
        {
            stderr.WriteLine(e.ToString());
        }

        return code;
    }

    /// <summary>
    /// A failure in words: numerical failures by their message, file-system failures by what went wrong, anything else by
    /// its message (never the exception's type name; BOMRL_DEBUG=1 adds the type and the stack trace).
    /// </summary>
    public static string Describe(Exception e) => e switch
    {
        NumericalFailureException => $"numerical failure: {e.Message}",
        OverflowException => $"arithmetic overflow: {e.Message} (a size or count too large for the numbers it is multiplied with)",
        OutOfMemoryException => $"out of memory: {e.Message}",
        InsufficientExecutionStackException or StackOverflowException => $"out of stack: {e.Message}",
        IOException or UnauthorizedAccessException => $"file system: {FileSystemErrors.Describe(e)}{Where(e.Message)}",
        _ => $"failed: {RunSupport.OneLine(e.Message).TrimEnd('.')} (BOMRL_DEBUG=1 shows where)",
    };

    /// <summary>" (PATH)" when a .NET I/O message quotes a path ("... : '/x/y'"), else empty.</summary>
    private static string Where(string message)
    {
        int i = message.IndexOf(" : '", StringComparison.Ordinal);
        return i < 0 ? string.Empty : $" ({message[(i + 4)..].TrimEnd('.', '\'')})";
    }
}
