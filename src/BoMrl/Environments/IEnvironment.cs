using System.Globalization;

namespace BoMrl.Environments;

/// <summary>Reward and termination of one environment step.</summary>
public readonly record struct StepOutcome(double Reward, bool Terminated);

/// <summary>
/// One environment instance of one task, stepped by the lock-step sampler. Holds mutable state;
/// not thread-safe: the sampler gives each slot its own instance. An instance can be retargeted to another task of
/// its family (<see cref="SetTask"/>) and reused: <see cref="Reset"/> re-initialises the whole state from its
/// generator, so a reused environment produces exactly the episodes a fresh one would. Environments holding native
/// state (MuJoCo) also implement <see cref="IDisposable"/>; whoever creates one disposes it.
/// </summary>
public interface IEnvironment
{
    /// <summary>Length of the observation vector.</summary>
    int ObservationSize { get; }

    /// <summary>Length of the action vector (continuous actions).</summary>
    int ActionSize { get; }

    /// <summary>
    /// Retargets the environment to the task with these parameters (validated as
    /// <see cref="ITaskDistribution.CreateEnvironment"/> validates them); takes effect from the next <see cref="Reset"/>.
    /// </summary>
    void SetTask(ReadOnlySpan<double> task);

    /// <summary>
    /// Resets to an initial state drawn with <paramref name="rng"/> and writes the first observation. Nothing of the
    /// previous episode survives a reset.
    /// </summary>
    void Reset(Random rng, Span<double> observation);

    /// <summary>
    /// Applies <paramref name="action"/> (the raw policy sample; the environment clips or scales it as its
    /// definition says), writes the next observation and returns the reward and whether the episode terminated.
    /// </summary>
    StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation);
}

/// <summary>A distribution over tasks P(Γ) for the sampled benchmarks (navigation, locomotion).</summary>
public interface ITaskDistribution
{
    /// <summary>The benchmark's name as configs spell it (e.g. navigation2d, halfcheetah-vel).</summary>
    string Name { get; }

    /// <summary>Observation length of every environment of this family.</summary>
    int ObservationSize { get; }

    /// <summary>Action length of every environment of this family.</summary>
    int ActionSize { get; }

    /// <summary>Episode length cap (the sampler stops an episode after this many steps).</summary>
    int Horizon { get; }

    /// <summary>Draws one task's parameters (goal position, goal velocity, direction, ...).</summary>
    double[] SampleTask(Random rng);

    /// <summary>
    /// Creates a fresh environment for the task with these parameters (the sampler keeps and retargets them with
    /// <see cref="IEnvironment.SetTask"/>; dispose it when it is <see cref="IDisposable"/>).
    /// </summary>
    IEnvironment CreateEnvironment(ReadOnlySpan<double> task);

    /// <summary>Number of values in every task vector of this family (by default, that of one drawn task).</summary>
    int TaskLength => SampleTask(new Random(0)).Length;

    /// <summary>Why <paramref name="task"/> is not a task of this family, or null when it is (by default: wrong length or a non-finite value).</summary>
    string? InvalidTaskReason(ReadOnlySpan<double> task) => LengthOrFiniteReason(task, TaskLength, $"a {Name} task");

    /// <summary>Why <paramref name="task"/> (described as <paramref name="what"/>) lacks <paramref name="length"/> values or holds a non-finite one; null when neither.</summary>
    static string? LengthOrFiniteReason(ReadOnlySpan<double> task, int length, string what)
    {
        if (task.Length != length)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{what} has {length} {(length == 1 ? "number" : "numbers")}, got {task.Length}");
        }

        for (int i = 0; i < task.Length; i++)
        {
            if (!double.IsFinite(task[i]))
            {
                return string.Create(CultureInfo.InvariantCulture, $"{what} has finite numbers only, got {task[i]} as number {i + 1}");
            }
        }

        return null;
    }
}
