namespace BoMrl.Environments.Navigation;

/// <summary>
/// The 2D navigation task distribution of MAML (Finn et al., 2017, Section 5.3) as shipped by pytorch-maml-rl
/// (2DNavigation-v0): a point agent starts at the origin, its action is a velocity, the reward is the negative
/// Euclidean distance to an unobserved goal drawn from U[low, high]², and an episode ends once the agent is within
/// 0.01 of the goal in both coordinates or after <see cref="Horizon"/> steps (docs/sampling.md, "2D navigation").
/// A task is the goal (gx, gy).
/// </summary>
public sealed class Navigation2DTasks : ITaskDistribution
{
    /// <summary>The name configs use for this family.</summary>
    public const string FamilyName = "navigation2d";

    /// <summary>Creates the distribution; defaults are pytorch-maml-rl's 2DNavigation-v0 registration.</summary>
    /// <param name="horizon">Episode length cap (100 in MAML and pytorch-maml-rl).</param>
    /// <param name="low">Lower bound of each goal coordinate (−0.5).</param>
    /// <param name="high">Upper bound of each goal coordinate (0.5).</param>
    /// <param name="actionMapping">How a raw policy sample becomes the velocity (see <see cref="NavigationActionMapping"/>).</param>
    public Navigation2DTasks(int horizon = 100, double low = -0.5, double high = 0.5,
        NavigationActionMapping actionMapping = NavigationActionMapping.Clip)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(horizon);
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(low < high))
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"goal bounds must be finite with low < high (got {low}, {high})");
        }

        if (!Enum.IsDefined(actionMapping))
        {
            throw new ArgumentOutOfRangeException(nameof(actionMapping));
        }

        Horizon = horizon;
        Low = low;
        High = high;
        ActionMapping = actionMapping;
    }

    /// <inheritdoc/>
    public string Name => FamilyName;

    /// <inheritdoc/>
    public int ObservationSize => 2;

    /// <inheritdoc/>
    public int ActionSize => 2;

    /// <inheritdoc/>
    public int Horizon { get; }

    /// <summary>Lower bound of each goal coordinate.</summary>
    public double Low { get; }

    /// <summary>Upper bound of each goal coordinate.</summary>
    public double High { get; }

    /// <summary>How raw policy samples become velocities.</summary>
    public NavigationActionMapping ActionMapping { get; }

    /// <summary>Draws a goal uniformly from [low, high]²: returns {gx, gy}.</summary>
    public double[] SampleTask(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double width = High - Low;
        double gx = Low + width * rng.NextDouble();
        double gy = Low + width * rng.NextDouble();
        return [gx, gy];
    }

    /// <inheritdoc/>
    public IEnvironment CreateEnvironment(ReadOnlySpan<double> task) => new Navigation2DEnvironment(task, ActionMapping);

    /// <summary>A task is the goal {gx, gy}: two numbers.</summary>
    public int TaskLength => 2;

    /// <summary>Why <paramref name="task"/> is not a goal {gx, gy} of two finite numbers (null when it is); a goal outside [low, high]² is allowed.</summary>
    public string? InvalidTaskReason(ReadOnlySpan<double> task) =>
        ITaskDistribution.LengthOrFiniteReason(task, TaskLength, "a navigation2d task (the goal x,y)");
}

/// <summary>
/// How the 2D navigation environment turns a raw policy sample p into a velocity (docs/sampling.md, "2D navigation").
/// </summary>
public enum NavigationActionMapping
{
    /// <summary>pytorch-maml-rl: the environment clips p element-wise to [−0.1, 0.1].</summary>
    Clip = 0,

    /// <summary>Original MAML (rllab <c>normalize</c>): velocity 0.1·p, then clipped to [−0.1, 0.1].</summary>
    ScaleThenClip = 1,
}

/// <summary>
/// 2D navigation episodes towards a goal (the task, changed with <see cref="SetTask"/>): state = position (x, y) = observation; start (0, 0);
/// step: position += clip(action); reward −‖position − goal‖₂ after moving; terminated when |x − gx| &lt; 0.01
/// and |y − gy| &lt; 0.01 after moving. The reset draws nothing (the start is deterministic).
/// </summary>
public sealed class Navigation2DEnvironment : IEnvironment
{
    /// <summary>Largest velocity per coordinate (the action space is Box(−0.1, 0.1, 2)).</summary>
    public const double MaxVelocity = 0.1;

    /// <summary>Distance per coordinate under which the goal counts as reached.</summary>
    public const double GoalTolerance = 0.01;

    private readonly NavigationActionMapping _mapping;
    private double _goalX;
    private double _goalY;
    private double _x;
    private double _y;

    /// <summary>Creates the environment for goal task = {gx, gy}.</summary>
    public Navigation2DEnvironment(ReadOnlySpan<double> task, NavigationActionMapping actionMapping = NavigationActionMapping.Clip)
    {
        SetTask(task);
        _mapping = actionMapping;
    }

    /// <inheritdoc/>
    public int ObservationSize => 2;

    /// <inheritdoc/>
    public int ActionSize => 2;

    /// <summary>Current position x.</summary>
    public double X => _x;

    /// <summary>Current position y.</summary>
    public double Y => _y;

    /// <summary>Sets the goal: task = {gx, gy}, both finite.</summary>
    public void SetTask(ReadOnlySpan<double> task)
    {
        if (task.Length != 2)
        {
            throw new ArgumentException($"a navigation task is a goal (gx, gy); got {task.Length} numbers", nameof(task));
        }

        if (!double.IsFinite(task[0]) || !double.IsFinite(task[1]))
        {
            throw new ArgumentException("the goal must be finite", nameof(task));
        }

        _goalX = task[0];
        _goalY = task[1];
    }

    /// <inheritdoc/>
    public void Reset(Random rng, Span<double> observation)
    {
        _x = 0;
        _y = 0;
        observation[0] = 0;
        observation[1] = 0;
    }

    /// <inheritdoc/>
    public StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation)
    {
        _x += Velocity(action[0]);
        _y += Velocity(action[1]);
        observation[0] = _x;
        observation[1] = _y;
        double dx = _x - _goalX;
        double dy = _y - _goalY;
        double reward = -Math.Sqrt(dx * dx + dy * dy);
        bool reached = Math.Abs(dx) < GoalTolerance && Math.Abs(dy) < GoalTolerance;
        return new StepOutcome(reward, reached);
    }

    private double Velocity(double p)
    {
        // A NaN action would poison the state silently; Math.Clamp passes NaN through, so reject it here.
        if (double.IsNaN(p))
        {
            throw new ArgumentException("the action contains NaN", nameof(p));
        }

        double v = _mapping == NavigationActionMapping.ScaleThenClip ? MaxVelocity * p : p;
        return Math.Clamp(v, -MaxVelocity, MaxVelocity);
    }
}
