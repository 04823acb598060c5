using BoMrl.Configuration;
using BoMrl.Environments;
using BoMrl.Environments.Mujoco;
using BoMrl.Numerics;
using BoMrl.Policies;
using BoMrl.Sampling;
using BoMrl.Tests.Sampling;

namespace BoMrl.Tests.Mujoco;

/// <summary>
/// The lock-step sampler on the MuJoCo families: identical data whatever the thread count, and pooled environments
/// retargeted across tasks give exactly the episodes of freshly created ones (a reset rebuilds the whole state).
/// </summary>
public sealed class LocomotionSamplerTests
{
    [Fact]
    public void HalfCheetah_vel_sampling_is_bitwise_identical_on_one_and_two_threads()
    {
        ITaskDistribution tasks = TaskDistributions.Create("halfcheetah-vel", horizon: 25);
        var policy = new GaussianMlpPolicy(tasks.ObservationSize, tasks.ActionSize, [64, 64]);
        double[] theta = policy.InitialParameters(Seeds.Rng(1));
        Random rng = Seeds.Rng(2);
        double[][] goals = [tasks.SampleTask(rng), tasks.SampleTask(rng), tasks.SampleTask(rng)];

        // Groups of 2 episodes: 6 groups, so each worker retargets its pool several times within one call.
        using var one = new LockstepSampler(tasks, policy, episodesPerTask: 4, threads: 1, maxRowsPerBatch: 2);
        using var two = new LockstepSampler(tasks, policy, episodesPerTask: 4, threads: 2, maxRowsPerBatch: 2);
        TrajectoryBatch[] a = one.Sample(goals, [theta], seed: 7, stream: 1);
        TrajectoryBatch[] b = two.Sample(goals, [theta], seed: 7, stream: 1);
        for (int i = 0; i < goals.Length; i++)
        {
            BatchAssert.BitwiseEqual(a[i], b[i]);
            Assert.Equal(25, a[i].ValidSteps / a[i].Episodes);
        }

        Assert.False(a[0].Rewards.AsSpan().SequenceEqual(a[1].Rewards)); // different goals, different rewards
    }

    [Theory]
    [InlineData("ant-vel")]
    [InlineData("halfcheetah-dir")]
    public void Reused_environments_give_the_batches_of_fresh_environments(string name)
    {
        ITaskDistribution tasks = TaskDistributions.Create(name, horizon: 30);
        var policy = new GaussianMlpPolicy(tasks.ObservationSize, tasks.ActionSize, [16]);
        double[] theta = policy.InitialParameters(Seeds.Rng(3));
        Random rng = Seeds.Rng(4);
        double[][] goals = [tasks.SampleTask(rng), tasks.SampleTask(rng)];
        double[][] others = [tasks.SampleTask(rng), tasks.SampleTask(rng), tasks.SampleTask(rng)];

        // The reused sampler first runs other tasks with another stream, leaving its pooled MuJoCo states mid-motion.
        using var reused = new LockstepSampler(tasks, policy, episodesPerTask: 3, threads: 2, maxRowsPerBatch: 3);
        reused.Sample(others, [theta], seed: 9, stream: 0);
        TrajectoryBatch[] again = reused.Sample(goals, [theta], seed: 9, stream: 1);

        for (int i = 0; i < goals.Length; i++)
        {
            // One task, one group, one worker: every environment is created for this call.
            using var fresh = new LockstepSampler(tasks, policy, episodesPerTask: 3, threads: 1, maxRowsPerBatch: 3);
            BatchAssert.BitwiseEqual(fresh.Sample(goals[i], theta, seed: 9, stream: 1, taskIndex: i), again[i]);
        }
    }

    [Fact]
    public void Bare_physics_replay_steps_exactly_the_sampled_episodes()
    {
        var tasks = (LocomotionTaskDistribution)TaskDistributions.Create("ant-dir", horizon: 12);
        var policy = new GaussianMlpPolicy(tasks.ObservationSize, tasks.ActionSize, [8]);
        using var sampler = new LockstepSampler(tasks, policy, episodesPerTask: 4, threads: 2, maxRowsPerBatch: 2);
        TrajectoryBatch batch = sampler.Sample([1.0], policy.InitialParameters(Seeds.Rng(5)), seed: 3, stream: 0);
        Random[] resets = [.. Enumerable.Range(0, 4).Select(e => LockstepSampler.EpisodeRng(3, 0, 0, e))];
        BarePhysicsThroughput r = BarePhysics.Replay(tasks, [1.0], resets, batch.Actions, batch.Lengths, 12, threads: 2, groupSize: 2);
        Assert.Equal(batch.ValidSteps, r.EnvSteps);
        Assert.Equal(4, r.Environments);
        Assert.True(r.EnvStepsPerSecond > 0 && double.IsFinite(r.EnvStepsPerSecond));
        Assert.Throws<ArgumentOutOfRangeException>(() => BarePhysics.Replay(tasks, [1.0], resets, batch.Actions, batch.Lengths, 12, 3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => BarePhysics.Replay(tasks, [1.0], resets[..3], batch.Actions, batch.Lengths, 12, 1, 2));
    }
}
