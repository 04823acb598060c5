using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Environments.Navigation;

namespace BoMrl.Tests.Environments;

public class Navigation2DTests
{
    [Fact]
    public void Velocity_is_clipped_to_a_tenth_per_coordinate_and_reward_is_minus_euclidean_distance()
    {
        var env = new Navigation2DEnvironment([0.3, -0.4]);
        var obs = new double[2];
        env.Reset(new Random(1), obs);
        Assert.Equal([0.0, 0.0], obs);

        StepOutcome o = env.Step([5.0, -0.05], obs);
        Assert.Equal(0.1, obs[0], 15);
        Assert.Equal(-0.05, obs[1], 15);
        Assert.Equal(-Math.Sqrt(0.2 * 0.2 + 0.35 * 0.35), o.Reward, 14);
        Assert.False(o.Terminated);

        o = env.Step([-7.0, -0.2], obs);
        Assert.Equal(0.0, obs[0], 15);
        Assert.Equal(-0.15, obs[1], 15);
        Assert.Equal(-Math.Sqrt(0.3 * 0.3 + 0.25 * 0.25), o.Reward, 14);
    }

    [Fact]
    public void Original_maml_variant_scales_the_action_by_a_tenth_before_clipping()
    {
        var env = new Navigation2DEnvironment([0.3, 0.3], NavigationActionMapping.ScaleThenClip);
        var obs = new double[2];
        env.Reset(new Random(1), obs);
        env.Step([0.5, 3.0], obs);
        Assert.Equal(0.05, obs[0], 15);
        Assert.Equal(0.1, obs[1], 15);
    }

    [Fact]
    public void Episode_terminates_only_within_one_hundredth_of_the_goal_in_both_coordinates()
    {
        var env = new Navigation2DEnvironment([0.1, 0.005]);
        var obs = new double[2];
        env.Reset(new Random(1), obs);

        // x exactly at the goal, y off by 0.015: not done.
        StepOutcome o = env.Step([0.1, 0.02], obs);
        Assert.False(o.Terminated);

        // y now off by 0.009 < 0.01, x still exact: done.
        o = env.Step([0.0, -0.006], obs);
        Assert.True(o.Terminated);
        Assert.Equal(-Math.Sqrt(0.009 * 0.009), o.Reward, 12);

        // Off by 0.0105 in x only: not done.
        var env2 = new Navigation2DEnvironment([0.1, 0.0]);
        env2.Reset(new Random(1), obs);
        Assert.False(env2.Step([0.0895, 0.0], obs).Terminated);
    }

    [Fact]
    public void Goals_are_uniform_on_the_half_unit_square()
    {
        var tasks = new Navigation2DTasks();
        var rng = new Random(7);
        double sumX = 0, sumY = 0, min = double.MaxValue, max = double.MinValue;
        const int n = 20000;
        for (int i = 0; i < n; i++)
        {
            double[] g = tasks.SampleTask(rng);
            Assert.Equal(2, g.Length);
            sumX += g[0];
            sumY += g[1];
            min = Math.Min(min, Math.Min(g[0], g[1]));
            max = Math.Max(max, Math.Max(g[0], g[1]));
        }

        Assert.True(min >= -0.5 && max < 0.5);
        Assert.True(min < -0.49 && max > 0.49);
        // Mean of U[−0.5, 0.5] is 0 with standard error sqrt(1/12/n) ≈ 0.002; allow 5 standard errors.
        Assert.InRange(sumX / n, -0.01, 0.01);
        Assert.InRange(sumY / n, -0.01, 0.01);
        Assert.Equal(100, tasks.Horizon);
    }

    [Fact]
    public void Task_lookup_knows_navigation2d_and_names_unknown_names_and_variants()
    {
        Assert.IsType<Navigation2DTasks>(TaskDistributions.Create("navigation2d", "pytorch-maml-rl"));
        Assert.Equal(50, TaskDistributions.Create("navigation2d", null, 50).Horizon);
        var e = Assert.Throws<ArgumentException>(() => TaskDistributions.Create("navigation3d"));
        Assert.Equal("name", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => TaskDistributions.Create("navigation2d", "rllab2"));
        Assert.Equal("variant", e.ParamName);
    }
}
