using System.Globalization;

namespace BoMrl.Cluster;

/// <summary>
/// The identity of one task's work in a cluster run: (run, meta-iteration, task index), as the string key
/// "run/iteration/task" of its <see cref="ITaskGrain"/>. The run id must not contain '/'.
/// </summary>
/// <param name="Run">The run's id (unique per training run, e.g. its folder name).</param>
/// <param name="Iteration">Meta-iteration k (≥ 0).</param>
/// <param name="Task">Task index i within the iteration's meta-batch (≥ 0).</param>
public readonly record struct TaskKey(string Run, int Iteration, int Task)
{
    /// <summary>The grain key "run/iteration/task".</summary>
    public override string ToString()
    {
        if (string.IsNullOrEmpty(Run) || Run.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"a run id must be non-empty and free of '/' (got '{Run}')");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(Iteration);
        ArgumentOutOfRangeException.ThrowIfNegative(Task);
        return string.Create(CultureInfo.InvariantCulture, $"{Run}/{Iteration}/{Task}");
    }

    /// <summary>Parses a key written by <see cref="ToString"/>; throws a <see cref="FormatException"/> naming it otherwise.</summary>
    public static TaskKey Parse(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[] parts = key.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int iteration)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out int task))
        {
            throw new FormatException($"not a task key 'run/iteration/task': '{key}'");
        }

        return new TaskKey(parts[0], iteration, task);
    }
}
