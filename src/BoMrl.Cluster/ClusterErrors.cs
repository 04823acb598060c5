using System.Reflection;
using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Cluster;

/// <summary>A task's activation holds no state (its worker was lost and the task placed anew): rebuild, then retry.</summary>
[GenerateSerializer, Alias("BoMrl.Cluster.TaskStateLostException")]
public sealed class TaskStateLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskStateLostException()
        : base("the task's state is not on this worker")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TaskStateLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TaskStateLostException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// A task's work failed on a worker (numerical failure, bad input, another build): carried back to the learner as one
/// line, where it becomes the same error a local run gives (<see cref="ToLocal"/>).
/// </summary>
[GenerateSerializer, Alias("BoMrl.Cluster.TaskWorkFailedException")]
public sealed class TaskWorkFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TaskWorkFailedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public TaskWorkFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public TaskWorkFailedException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Whether the failure was numerical (a <see cref="NumericalFailureException"/> on the worker).</summary>
    [Id(0)]
    public bool Numerical { get; init; }

    /// <summary>The failure as the learner reports it: a numerical failure of task i, or an invalid operation naming it.</summary>
    public Exception ToLocal(int task) => Numerical
        ? new NumericalFailureException($"task {task}: {Message}")
        : new InvalidOperationException($"task {task} on a worker: {Message}");
}

/// <summary>No worker answered within the bounded wait (every worker lost, or none registered).</summary>
public sealed class ClusterUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The build a learner and its workers must share (bomrl's version and the library's module id).</summary>
public static class ClusterBuild
{
    /// <summary>"version (build id)" of this process's bomrl library.</summary>
    public static string Current { get; } = Describe(typeof(PerTaskMetaLearner).Assembly);

    private static string Describe(Assembly a)
    {
        string version = a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? a.GetName().Version?.ToString() ?? "?";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0 && version.Length > plus + 9)
        {
            version = version[..(plus + 9)];
        }

        return $"{version} (build {a.ManifestModule.ModuleVersionId.ToString("N")[..8]})";
    }
}
