using BoMrl.Environments;
using BoMrl.Environments.Navigation;
using BoMrl.Sampling;

namespace BoMrl.Tests.Sampling;

/// <summary>
/// The sampler keeps one pool of environments per worker for its whole life (a MuJoCo environment owns native memory
/// the garbage collector does not see), retargets them to each group's task, and frees them on Dispose.
/// </summary>
public sealed class EnvironmentPoolTests
{
    [Fact]
    public void Sampler_creates_environments_once_per_worker_slot_and_disposes_them()
    {
        var tasks = new CountingTasks(new Navigation2DTasks(horizon: 30));
        var policy = new LinearGaussianPolicy(2, 2);
        double[][] goals = [[0.1, 0.2], [-0.3, 0.4], [0.2, -0.1], [0.4, 0.4], [-0.2, -0.2]];
        double[] theta = LinearGaussianPolicy.Homing(0.5, [0, 0], -1);
        var sampler = new LockstepSampler(tasks, policy, episodesPerTask: 6, threads: 2, maxRowsPerBatch: 4);
        for (int call = 0; call < 3; call++)
        {
            sampler.Sample(goals, [theta], seed: 5, stream: call);
        }

        // 2 workers × at most 4 slots, whatever the number of calls, tasks and groups (5 tasks × 2 groups × 3 calls).
        Assert.InRange(tasks.Created.Count, 3, 8);
        Assert.All(tasks.Created, e => Assert.False(e.Disposed));
        Assert.Contains(tasks.Created, e => e.Retargets > 0);

        sampler.Dispose();
        Assert.All(tasks.Created, e => Assert.True(e.Disposed));
        sampler.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => sampler.Sample(goals, [theta], 5, 0));
    }

    [Fact]
    public void Navigation_environment_retargeted_to_a_goal_behaves_as_one_made_for_it()
    {
        var fresh = new Navigation2DEnvironment([0.3, -0.2]);
        var reused = new Navigation2DEnvironment([-0.4, 0.1]);
        double[] o1 = new double[2], o2 = new double[2];
        reused.Reset(new Random(1), o2);
        reused.Step([0.1, 0.1], o2);
        reused.SetTask([0.3, -0.2]);
        fresh.Reset(new Random(1), o1);
        reused.Reset(new Random(1), o2);
        for (int t = 0; t < 5; t++)
        {
            Assert.Equal(fresh.Step([0.05, -0.07], o1), reused.Step([0.05, -0.07], o2));
            Assert.Equal(o1, o2);
        }

        Assert.Throws<ArgumentException>(() => reused.SetTask([0.1]));
        Assert.Throws<ArgumentException>(() => reused.SetTask([0.1, double.NaN]));
    }

    /// <summary>Wraps a family and records every environment it makes.</summary>
    private sealed class CountingTasks(ITaskDistribution inner) : ITaskDistribution
    {
        public List<TrackedEnvironment> Created { get; } = [];

        public string Name => inner.Name;

        public int ObservationSize => inner.ObservationSize;

        public int ActionSize => inner.ActionSize;

        public int Horizon => inner.Horizon;

        public double[] SampleTask(Random rng) => inner.SampleTask(rng);

        public IEnvironment CreateEnvironment(ReadOnlySpan<double> task)
        {
            var e = new TrackedEnvironment(inner.CreateEnvironment(task));
            lock (Created)
            {
                Created.Add(e);
            }

            return e;
        }
    }

    /// <summary>Forwards to an environment and counts retargets and disposal.</summary>
    private sealed class TrackedEnvironment(IEnvironment inner) : IEnvironment, IDisposable
    {
        public int Retargets { get; private set; }

        public bool Disposed { get; private set; }

        public int ObservationSize => inner.ObservationSize;

        public int ActionSize => inner.ActionSize;

        public void SetTask(ReadOnlySpan<double> task)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Retargets++;
            inner.SetTask(task);
        }

        public void Reset(Random rng, Span<double> observation) => inner.Reset(rng, observation);

        public StepOutcome Step(ReadOnlySpan<double> action, Span<double> observation) => inner.Step(action, observation);

        public void Dispose() => Disposed = true;
    }
}
