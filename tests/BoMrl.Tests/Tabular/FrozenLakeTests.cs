using BoMrl.Environments.FrozenLake;
using BoMrl.Numerics;
using BoMrl.Tabular;
using BoMrl.Tabular.Theory;

namespace BoMrl.Tests.Tabular;

public class FrozenLakeTests
{
    [Theory]
    [InlineData(2, 0.5)]
    [InlineData(4, 0.3)]
    [InlineData(5, 0.1)]
    [InlineData(8, 0.3)]
    public void Maps_never_put_holes_on_start_or_goal_and_always_keep_a_path(int size, double p)
    {
        var dist = new FrozenLakeDistribution(size, p);
        (FrozenLakeMap[] train, FrozenLakeMap[] test) = dist.SampleMaps(30, 10, 42);
        foreach (FrozenLakeMap m in train.Concat(test))
        {
            Assert.False(m.IsHole(m.Start));
            Assert.False(m.IsHole(m.Goal));
            Assert.True(m.HasPath());
        }

        if (size >= 4)
        {
            // holes appear at about the requested rate (the path filter removes some hole-heavy maps)
            double rate = train.Concat(test).Average(m => (double)m.HoleCount) / (size * size - 2);
            Assert.InRange(rate, 0.4 * p, 1.2 * p);
        }
    }

    [Fact]
    public void Task_sampling_is_deterministic_and_test_tasks_are_a_separate_stream()
    {
        var dist = new FrozenLakeDistribution(4, 0.3);
        var a = dist.SampleMaps(20, 5, 7);
        var b = dist.SampleMaps(20, 50, 7);
        Assert.Equal(a.Train.Select(m => m.ToString()), b.Train.Select(m => m.ToString()));
        Assert.Equal(a.Test.Select(m => m.ToString()), b.Test.Take(5).Select(m => m.ToString()));
        Assert.NotEqual(a.Train.Select(m => m.ToString()), dist.SampleMaps(20, 5, 8).Train.Select(m => m.ToString()));
    }

    [Fact]
    public void Slippery_dynamics_rewards_and_absorbing_states_follow_gym()
    {
        // SFFF / FHFH / FFFH / HFFG: gym's 4x4 map; holes 5, 7, 11, 12; goal 15.
        bool[] holes = new bool[16];
        foreach (int h in new[] { 5, 7, 11, 12 })
        {
            holes[h] = true;
        }

        var map = new FrozenLakeMap(4, holes);
        Assert.Equal("SFFF/FHFH/FFFH/HFFG", map.ToString());
        TabularMdp mdp = new FrozenLakeDistribution(4, 0.3).ToMdp(map);
        Assert.Equal(0.8, mdp.Gamma);
        const int na = 4;
        // From 0 pressing LEFT (0): outcomes UP (stay), LEFT (stay), DOWN (4), each 1/3.
        Assert.Equal(2.0 / 3.0, mdp.Transitions[(0 * na + 0) * 16 + 0], 14);
        Assert.Equal(1.0 / 3.0, mdp.Transitions[(0 * na + 0) * 16 + 4], 14);
        // From 14 pressing RIGHT (2): DOWN (stay 14), RIGHT (15 goal), UP (10).
        Assert.Equal(1.0 / 3.0, mdp.Transitions[(14 * na + 2) * 16 + 15], 14);
        Assert.Equal(1.0 / 3.0, mdp.Rewards[14 * na + 2], 14);
        // From 1 pressing DOWN (1): LEFT (0), DOWN (5 hole), RIGHT (2): expected reward −1/3.
        Assert.Equal(-1.0 / 3.0, mdp.Rewards[1 * na + 1], 14);
        Assert.True(mdp.IsAbsorbing(5) && mdp.IsAbsorbing(15) && !mdp.IsAbsorbing(0));
        Assert.Equal(1.0, mdp.Transitions[(15 * na + 3) * 16 + 15]);
        // ρ uniform over the 11 non-terminal cells.
        Assert.Equal(1.0 / 11.0, mdp.InitialDistribution[0], 14);
        Assert.Equal(0.0, mdp.InitialDistribution[5]);
        // Deterministic dynamics: the intended move only.
        TabularMdp det = new FrozenLakeDistribution(4, 0.3, Slippery: false).ToMdp(map);
        Assert.Equal(1.0, det.Transitions[(14 * na + 2) * 16 + 15]);
        Assert.Equal(1.0, det.Rewards[14 * na + 2]);
    }

    [Fact]
    public void Uniform_initial_states_give_Assumption_2_for_every_policy()
    {
        var dist = new FrozenLakeDistribution(4, 0.3);
        (TabularMdp[] train, _, _, _) = dist.SampleTasks(5, 1, 3);
        Random rng = Seeds.Rng(TabularTestKit.Seed, 300);
        foreach (TabularMdp t in train)
        {
            double eps = TabularTheory.Epsilon([t]);
            for (int k = 0; k < 10; k++)
            {
                PolicyEvaluation e = PolicyEvaluation.OfLogits(t, TabularTestKit.RandomLogits(t.PairCount, rng, 5));
                for (int s = 0; s < t.StateCount; s++)
                {
                    Assert.True(t.IsAbsorbing(s) || e.Nu[s] >= eps - 1e-15);
                }
            }
        }
    }

    [Fact]
    public void Invalid_distributions_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrozenLakeDistribution(1, 0.3).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrozenLakeDistribution(4, 1.0).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrozenLakeDistribution(4, -0.1).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrozenLakeDistribution(4, double.NaN).Validate());
        Assert.Throws<ArgumentException>(() => new FrozenLakeMap(2, [true, false, false, false]));
    }
}
