using BoMrl.Environments;

namespace CustomFamily;

/// <summary>
/// "line1d": a point on a line must reach a goal. Task = the goal g ~ U[−1, 1]; observation = the position x (starting
/// near 0); action = a move, clipped to [−0.1, 0.1]; reward = −|x − g| per step; 20 steps.
/// </summary>
public sealed class LineTasksFamily : ITaskFamily
{
    /// <inheritdoc/>
    public string Name => "line1d";

    /// <inheritdoc/>
    public ITaskDistribution Create(string? variant, int? horizon) => variant is null or "pytorch-maml-rl" or "default"
        ? new LineTasks(horizon ?? 20)
        : throw new ArgumentException($"unknown line1d variant '{variant}' (known: default)", nameof(variant));
}

/// <summary>The distribution over goals.</summary>
public sealed class LineTasks(int horizon) : ITaskDistribution
{
    /// <inheritdoc/>
    public string Name => "line1d";

    /// <inheritdoc/>
    public int ObservationSize => 1;

    /// <inheritdoc/>
    public int ActionSize => 1;

    /// <inheritdoc/>
    public int Horizon => horizon;

    /// <inheritdoc/>
    public double[] SampleTask(Random rng) => [2 * rng.NextDouble() - 1];

    /// <inheritdoc/>
    public IEnvironment CreateEnvironment(ReadOnlySpan<double> task)
    {
        var env = new LineEnvironment();
        env.SetTask(task);
        return env;
    }
}

/// <summary>One point on the line, for one goal.</summary>
public sealed class LineEnvironment : IEnvironment
{
    private double _goal, _nextGoal, _x;

    /// <inheritdoc/>
    public int ObservationSize => 1;

    /// <inheritdoc/>
    public int ActionSize => 1;

    /// <inheritdoc/>
    public void SetTask(ReadOnlySpan<double> task) => _nextGoal = task.Length == 1 && double.IsFinite(task[0])
        ? task[0] : throw new ArgumentException("a line1d task is one finite goal position");

    /// <inheritdoc/>
    public void Reset(Random rng, Span<double> observation)
    {
        _goal = _nextGoal;
        _x = 0.02 * (rng.NextDouble() - 0.5);
        observation[0] = _x;
    }

    /// <inheritdoc/>
    public StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        _x += Math.Clamp(action[0], -0.1, 0.1);
        observation[0] = _x;
        return new StepOutcome(-Math.Abs(_x - _goal), Terminated: false);
    }
}
