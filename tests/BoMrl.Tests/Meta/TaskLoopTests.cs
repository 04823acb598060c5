using BoMrl.Meta;
using BoMrl.Numerics;

namespace BoMrl.Tests;

public sealed class TaskLoopTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(16)]
    public void The_per_task_loop_visits_every_task_exactly_once_whatever_the_worker_count(int workers)
    {
        var visits = new int[10];
        TaskLoop.ForEach(new object[workers], visits.Length, (i, _) => Interlocked.Increment(ref visits[i]));
        Assert.All(visits, v => Assert.Equal(1, v));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void A_numerical_failure_in_a_task_surfaces_as_one_exception_that_names_the_lowest_failing_task(int workers)
    {
        var e = Assert.Throws<NumericalFailureException>(() => TaskLoop.ForEach(new object[workers], 12, (i, _) =>
        {
            if (i is 7 or 9 or 11)
            {
                throw new NumericalFailureException($"Inner problem (7) diverged ({i}).");
            }
        }));
        Assert.Equal("task 7: Inner problem (7) diverged (7).", e.Message);
        Assert.IsType<NumericalFailureException>(e.InnerException);
    }

    [Fact]
    public void Any_other_failure_is_rethrown_alone_as_it_was_thrown()
    {
        var e = Assert.Throws<InvalidOperationException>(() => TaskLoop.ForEach(new object[3], 6, (i, _) =>
        {
            if (i >= 4)
            {
                throw new InvalidOperationException("bug " + i);
            }
        }));
        Assert.Equal("bug 4", e.Message);
    }
}
