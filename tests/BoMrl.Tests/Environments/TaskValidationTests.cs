using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Environments.Navigation;

namespace BoMrl.Tests.Environments;

/// <summary>
/// <see cref="ITaskDistribution.InvalidTaskReason"/>: the default (the length of a drawn task, finite values) and each
/// family's own rules (navigation: a goal x,y, any finite one; velocity: one finite number, extrapolation allowed;
/// direction: −1 or +1 only), as <c>bomrl export --adapt-to</c> checks a task given on the command line.
/// </summary>
public sealed class TaskValidationTests
{
    private static string? Reason(ITaskDistribution family, params double[] task) => family.InvalidTaskReason(task);

    [Fact]
    public void Navigation_takes_any_finite_goal_of_two_numbers()
    {
        ITaskDistribution nav = new Navigation2DTasks();
        Assert.Equal(2, nav.TaskLength);
        Assert.Null(Reason(nav, 0.3, -0.2));
        Assert.Null(Reason(nav, 3, -7)); // outside U[-0.5, 0.5]²: extrapolation is allowed
        Assert.Equal("a navigation2d task (the goal x,y) has 2 numbers, got 1", Reason(nav, 0.3));
        Assert.Equal("a navigation2d task (the goal x,y) has 2 numbers, got 3", Reason(nav, 0.3, 0.1, 0));
        Assert.Equal("a navigation2d task (the goal x,y) has finite numbers only, got NaN as number 2", Reason(nav, 0.3, double.NaN));
        Assert.Contains("got -Infinity as number 1", Reason(nav, double.NegativeInfinity, 0), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LocomotionTasks.HalfCheetahVel)]
    [InlineData(LocomotionTasks.AntVel)]
    public void A_goal_velocity_is_one_finite_number_in_or_out_of_the_training_range(string name)
    {
        LocomotionDefinition d = LocomotionTasks.Definition(name);
        Assert.Null(d.InvalidTaskReason([1.5]));
        Assert.Null(d.InvalidTaskReason([d.GoalHigh + 2])); // extrapolation
        Assert.Null(d.InvalidTaskReason([-0.5]));
        Assert.Equal($"a {name} task (a goal velocity) has 1 number, got 2", d.InvalidTaskReason([1, 2]));
        Assert.Equal($"a {name} task (a goal velocity) has finite numbers only, got Infinity as number 1", d.InvalidTaskReason([double.PositiveInfinity]));
    }

    [Theory]
    [InlineData(LocomotionTasks.HalfCheetahDir)]
    [InlineData(LocomotionTasks.AntDir)]
    public void A_direction_is_minus_one_or_one(string name)
    {
        LocomotionDefinition d = LocomotionTasks.Definition(name);
        Assert.Null(d.InvalidTaskReason([1]));
        Assert.Null(d.InvalidTaskReason([-1]));
        Assert.Equal($"a {name} task (a direction) is -1 or 1, got 0.5", d.InvalidTaskReason([0.5]));
        Assert.Equal($"a {name} task (a direction) is -1 or 1, got 0", d.InvalidTaskReason([0]));
        Assert.Equal($"a {name} task (a direction) has 1 number, got 0", d.InvalidTaskReason([]));
        Assert.Contains("finite numbers only", d.InvalidTaskReason([double.NaN]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_checks_the_length_of_a_drawn_task_and_finiteness()
    {
        ITaskDistribution family = new ThreeNumbers();
        Assert.Equal(3, family.TaskLength);
        Assert.Null(Reason(family, 1, 2, 3));
        Assert.Equal("a three task has 3 numbers, got 2", Reason(family, 1, 2));
        Assert.Equal("a three task has finite numbers only, got NaN as number 3", Reason(family, 1, 2, double.NaN));
    }

    /// <summary>A family that relies on the interface's default validation.</summary>
    private sealed class ThreeNumbers : ITaskDistribution
    {
        public string Name => "three";

        public int ObservationSize => 1;

        public int ActionSize => 1;

        public int Horizon => 1;

        public double[] SampleTask(Random rng) => [rng.NextDouble(), 0, 1];

        public IEnvironment CreateEnvironment(ReadOnlySpan<double> task) => throw new NotSupportedException();
    }
}
